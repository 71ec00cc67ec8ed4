"""symgd plot: --out and --bounds are checked before the figure is drawn, and
no warning reaches the user."""

from __future__ import annotations

import io
import os
import warnings

import pytest

from symgd.cli.main import main
from symgd.errors import InputError
from symgd.plot.common import check_output


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue(), caught


CONTOUR = ["plot", "contour", "x^2 + y^2", "--start", "1,1"]


@pytest.mark.parametrize("target, words", [
    ("{tmp}", ["--out", "is a directory"]),
    ("{tmp}/d.png", ["--out", "is a directory"]),
    ("{tmp}/missing/c.png", ["--out", "does not exist"]),
    ("{tmp}/c.txt", ["--out", ".png, .svg or .pdf"]),
    ("/proc/c.png", ["--out", "cannot be written"]),
])
def test_bad_out_is_refused_before_running(tmp_path, target, words):
    (tmp_path / "d.png").mkdir()
    if target.startswith("/proc") and not os.path.isdir("/proc"):
        pytest.skip("no /proc")
    path = target.format(tmp=tmp_path)
    code, out, err, caught = run_cli([*CONTOUR, "-o", path])
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    for word in words:
        assert word in err
    assert not os.path.exists(path) or os.path.isdir(path)


def test_check_output_leaves_no_file_behind(tmp_path):
    target = tmp_path / "new.png"
    assert check_output(target) == target and not target.exists()
    target.write_bytes(b"keep")
    check_output(target)
    assert target.read_bytes() == b"keep"
    with pytest.raises(InputError, match="the path"):
        check_output(tmp_path)


@pytest.mark.parametrize("bounds", ["-2,2", "-2,2,-1,3"])
def test_contour_bounds_low_high_for_both_axes(tmp_path, bounds):
    path = tmp_path / "c.png"
    code, out, err, caught = run_cli([*CONTOUR, f"--bounds={bounds}", "-o", str(path)])
    assert code == 0, err
    assert path.stat().st_size > 0 and caught == []


@pytest.mark.parametrize("argv, words", [
    (["plot", "slice", "x^2", "--var", "x", "--bounds=-1e308,1e308"], ["too wide"]),
    ([*CONTOUR, "--bounds=-2,2,3"], ["LOW,HIGH", "X0,X1,Y0,Y1", "3 numbers"]),
    ([*CONTOUR, "--bounds=2,-2"], ["LOW < HIGH"]),
    (["plot", "slice", "x^2", "--var", "x", "--bounds=-1,1,2,3"], ["LOW,HIGH"]),
])
def test_bad_bounds_are_one_line_errors(tmp_path, argv, words):
    code, out, err, caught = run_cli([*argv, "-o", str(tmp_path / "s.png")])
    assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    for word in words:
        assert word in err


def test_extreme_ranges_draw_without_warnings(tmp_path):
    path = tmp_path / "s.png"
    code, out, err, caught = run_cli(["plot", "slice", "x^2", "--var", "x",
                                      "--bounds=-1e154,1e154", "-o", str(path)])
    assert code == 0 and "Warning" not in err, err
    assert [str(w.message) for w in caught] == []
