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


def shell_examples() -> list[str]:
    commands = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        commands += [line[2:] for line in block.splitlines() if line.startswith("$ symgd ")]
    return commands


@pytest.mark.parametrize("command", shell_examples())
def test_shell_examples_in_the_readme_run(command, tmp_path, monkeypatch):
    argv = shlex.split(command, comments=True)[1:]
    if "data.csv" in argv or "xor.txt" in argv:
        pytest.skip("uses the reader's own data file")
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    assert code in (0, 1), err.getvalue()          # 1: a run shown not converging
    assert err.getvalue() == ""
