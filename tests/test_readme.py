"""The README's set-up commands are the ones CI runs, and its shell examples work."""

from __future__ import annotations

import io
import pathlib
import re
import shlex
import subprocess

import pytest

from symgd.cli import main

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_setup_commands():
    assert first_block() == ['pip install . && symgd demo',
                             'pip install -e ".[test]" && python -m pytest']


def test_ci_runs_the_readmes_test_command():
    extracted = subprocess.run(
        ["bash", "-c", "awk '/^```/{block++; next} block==1{print}' README.md | sed -n 2p"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert extracted == first_block()[1]
    assert "awk '/^```/{block++; next} block==1{print}' README.md | sed -n 2p" in \
        (ROOT / ".ci" / "run").read_text()


def _readers_data(folder: pathlib.Path) -> None:
    """A data.csv as the README's reader might have: two features, 0/1 labels
    that overlap (so that logistic regression has a finite optimum)."""
    rows = ["x1,x2,y"]
    for k in range(40):
        x1, x2 = (k % 7) / 3 - 1, (k % 5) / 2 - 1
        rows.append(f"{x1:.3f},{x2:.3f},{int((x1 + 0.5 * x2 + ((k * 37) % 11 - 5) / 6) > 0)}")
    (folder / "data.csv").write_text("\n".join(rows) + "\n")


def shell_examples() -> list[str]:
    commands = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        commands += [line[2:] for line in block.splitlines() if line.startswith("$ symgd ")]
    return commands


@pytest.mark.parametrize("command", shell_examples())
def test_shell_examples_in_the_readme_run(command, tmp_path, monkeypatch):
    argv = shlex.split(command, comments=True)[1:]
    monkeypatch.chdir(tmp_path)
    _readers_data(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    assert code in (0, 1), err.getvalue()          # 1: a run shown not converging
    assert err.getvalue() == ""


# ------------------------------------------------------------ shown output is the output

def console_examples() -> list[tuple[str, list[str]]]:
    """Each ``$ symgd ...`` line of a console block with the output shown under it."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        current = None
        for line in block.splitlines():
            if line.startswith("$ "):
                current = (line[2:], [])
                if line.startswith("$ symgd "):
                    examples.append(current)
            elif current is not None:
                current[1].append(line)
    return examples


def matches(shown: list[str], actual: list[str]) -> bool:
    """The README's output against the command's: a line ``...`` stands for any
    lines, ``...`` inside a line for any text; trailing blank lines do not count."""
    pattern = ""
    for line in _trimmed(shown):
        pattern += r"(?:.*\n)*?" if line == "..." else \
            ".*?".join(re.escape(part) for part in line.split("...")) + r"\n"
    return re.fullmatch(pattern, "\n".join(_trimmed(actual)) + "\n") is not None


def _trimmed(lines: list[str]) -> list[str]:
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


SHOWN = [(command, shown) for command, shown in console_examples() if _trimmed(shown)]


def test_the_readme_shows_output_of_several_commands():
    assert len(SHOWN) >= 5 and len(console_examples()) >= 12


def test_the_matcher_can_fail():
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert matches(['{"x": 1...}'], ['{"x": 1.5, "y": 2}'])
    assert not matches(["a", "z"], ["a", "b", "z"])
    assert not matches(["f′(x) = 2"], ["∇f = (2)"])


@pytest.mark.parametrize("command, shown", SHOWN, ids=[c for c, _ in SHOWN])
def test_readme_console_output_is_what_the_command_prints(command, shown, tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw = io.BytesIO()              # a UTF-8 terminal shows ∂ and Σ, as the README does
    out, err = io.TextIOWrapper(raw, encoding="utf-8", newline="\n"), io.StringIO()
    code = main(shlex.split(command, comments=True)[1:], out=out, err=err)
    out.flush()
    printed = raw.getvalue().decode("utf-8")
    assert code in (0, 1) and err.getvalue() == "", err.getvalue()
    assert matches(shown, printed.splitlines()), printed


def python_doctest_blocks() -> list[str]:
    return [b for b in re.findall(r"```python\n(.*?)```", README, re.S)
            if b.lstrip().startswith(">>>")]


def test_readme_python_blocks_written_as_doctests_pass():
    import doctest
    blocks = python_doctest_blocks()
    assert blocks, "the README's ParseError example is a doctest"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for k, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README block {k}", "README.md", 0))
    assert runner.failures == 0 and runner.tries >= 3
