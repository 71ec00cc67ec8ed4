"""The HTML lesson report: self-contained, and rendered by a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import matplotlib
matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import symgd  # noqa: E402
from symgd import InputError  # noqa: E402

BOWL = "x^2 + x*y + y^2"


@pytest.fixture(scope="module")
def bowl():
    return symgd.report(BOWL, [2, 1], frames=12)


@pytest.fixture(scope="module")
def cars():
    data = symgd.mse("w*weight + b", "cars", target="mpg", params=["w", "b"])
    return symgd.report(data, [0, 0], lr=0.03, max_iter=1500, frames=8)


def test_the_page_holds_every_section_and_needs_no_network(bowl):
    page = bowl.html()
    assert bowl.sections == ("Objective", "Derivatives", "Step size", "Iterations", "Figures")
    assert page.count("<math") >= 3                          # objective, ∂f/∂x, ∂f/∂y
    assert page.count('src="data:image/png;base64,') >= 2    # contour, loss curve
    assert page.count('src="data:image/gif;base64,') == 1    # the animation
    # nothing is fetched: no external source, stylesheet or script
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<script" not in page


def test_the_run_and_the_bound_on_the_page_are_the_library_s(bowl):
    bound = symgd.step_size_bound(BOWL)
    assert bowl.result.lr == pytest.approx(float(f"{bound.bound / 4:.2g}"))   # 0.17
    ref = symgd.descend(BOWL, [2, 1], lr=bowl.result.lr, max_iter=1000)
    np.testing.assert_array_equal(bowl.result.x, ref.x)
    page = bowl.html()
    assert "2/3" in page and ref.message.split(":")[0] in page
    first_row = "".join(f"<td>{c}</td>" for c in ("0", "2", "1", "7", "6.4"))
    assert first_row in page                                   # t, x, y, f, |∇f|


def test_a_data_loss_shows_the_sums_and_the_model(cars):
    page = cars.html()
    assert "<munderover>" in page or "<msubsup>" in page       # the Σ over rows
    assert "over 7 rows" in page
    assert page.count('src="data:image/png;base64,') >= 3      # contour, fit, loss


def test_save_refuses_what_is_not_an_html_file(bowl, tmp_path):
    assert bowl.save(tmp_path / "lesson.html").read_text(encoding="utf-8") == bowl.html()
    with pytest.raises(InputError, match=".html"):
        bowl.save(tmp_path / "lesson.txt")
    (tmp_path / "d.html").mkdir()
    with pytest.raises(InputError, match="directory"):
        bowl.save(tmp_path / "d.html")
    with pytest.raises(InputError, match="cannot write"):
        bowl.save(tmp_path / "missing" / "lesson.html")


@pytest.mark.parametrize("frames", [-1, 401, 2.5, True])
def test_bad_frames(frames):
    with pytest.raises(InputError, match="frames"):
        symgd.report(BOWL, [2, 1], frames=frames)


# ------------------------------------------------------------- in a browser

def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


_CHECK = """<script>
window.addEventListener("load", () => {
  const imgs = [...document.images].map(i => i.complete && i.naturalWidth > 0);
  const maths = [...document.querySelectorAll("math")];
  document.body.setAttribute("data-check", JSON.stringify({
    images: imgs, math: maths.length,
    mathHeights: maths.map(m => m.getBoundingClientRect().height),
    height: document.documentElement.scrollHeight}));
});
</script></body>"""


@pytest.mark.skipif(_chromium() is None,
                    reason="no Chromium here: install Debian's chromium package to run the "
                           "browser test (.ci/run does)")
@pytest.mark.parametrize("which", ["bowl", "cars"])
def test_a_browser_renders_the_math_and_every_image(which, request, tmp_path):
    lesson = request.getfixturevalue(which)
    page = tmp_path / "lesson.html"
    page.write_text(lesson.html().replace("</body>", _CHECK), encoding="utf-8")
    browser = _chromium()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([browser, *flags, "--virtual-time-budget=5000", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'data-check="([^"]*)"', dom.stdout)
    assert found, dom.stderr[-2000:]
    check = json.loads(found.group(1).replace("&quot;", '"'))
    assert check["images"] and all(check["images"])           # no broken image
    assert check["math"] >= 3 and min(check["mathHeights"]) > 5   # MathML laid out
    assert check["height"] > 1500
    shot = tmp_path / "lesson.png"
    subprocess.run([browser, *flags, f"--screenshot={shot}", "--window-size=1200,3000",
                    page.as_uri()], capture_output=True, timeout=120)
    from PIL import Image
    with Image.open(shot) as im:
        assert im.size == (1200, 3000)
        colours = np.asarray(im.convert("L"))
    assert colours.std() > 10                                 # not a blank page
