"""Exact-arithmetic rows stay bounded: they stop before fractions longer
than MAX_EXACT_DIGITS, say where, and the rows kept are exactly right.

Each long case runs in a child process with a generous wall-clock limit, to
catch a hang (the runs used to take from 11 s to over a minute), not to time
anything."""

from __future__ import annotations

import decimal
import json
import os
import pathlib
import subprocess
import sys
from fractions import Fraction

import pytest
import sympy as sp

import symgd
from symgd.descent.loop import MAX_EXACT_DIGITS, MAX_EXACT_OPERATIONS
from symgd.descent.table import _sqrt_decimal
from symgd.errors import InputError

ROOT = pathlib.Path(__file__).resolve().parents[1]
LIMIT = 60          # seconds; generous, a hang would go on for minutes
CARS = ROOT / "symgd" / "data" / "files" / "cars.txt"


def child(code: str) -> str:
    """Run Python ``code`` in a fresh interpreter; its standard output."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=LIMIT, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def shell(*argv: str) -> str:
    """Run ``symgd ARGV`` in a child process; its standard output."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, "-m", "symgd", *argv], capture_output=True,
                          text=True, timeout=LIMIT, env=env, cwd=ROOT)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def too_long(*values: Fraction, digits: int = MAX_EXACT_DIGITS) -> bool:
    return any(len(str(abs(v.numerator))) > digits or len(str(v.denominator)) > digits
               for v in values)


def fraction_x4(steps: int) -> list[tuple[Fraction, ...]]:
    """Fixed-step descent on x^4 from 1 with lr 1/10, in fractions: rows
    (x, f, g) up to the first with a number longer than MAX_EXACT_DIGITS."""
    x, lr, rows = Fraction(1), Fraction(1, 10), []
    for _ in range(steps + 1):
        f, g = x ** 4, 4 * x ** 3
        if too_long(x, f, g) or too_long(g * g, digits=2 * MAX_EXACT_DIGITS):
            break
        rows.append((x, f, g))
        x -= lr * g
    return rows


def fraction_cars(steps: int) -> list[tuple[Fraction, ...]]:
    """The mean squared error of mpg = w*weight + b over the car data, descended
    from (0, 0) with lr 1/100 in fractions: rows (w, b, L, dL/dw, dL/db)."""
    lines = CARS.read_text().split("\n")[1:]
    data = [tuple(Fraction(v) for v in line.split()) for line in lines if line.strip()]
    n = len(data)
    w = b = Fraction(0)
    lr, rows = Fraction(1, 100), []
    for _ in range(steps + 1):
        errors = [w * weight + b - mpg for weight, mpg in data]
        loss = sum(e * e for e in errors) / n
        gw = 2 * sum(e * weight for e, (weight, _) in zip(errors, data)) / n
        gb = 2 * sum(errors) / n
        if too_long(w, b, loss, gw, gb) or too_long(gw * gw + gb * gb,
                                                      digits=2 * MAX_EXACT_DIGITS):
            break
        rows.append((w, b, loss, gw, gb))
        w, b = w - lr * gw, b - lr * gb
    return rows


def sqrt_text(square: Fraction, digits: int) -> str:
    """sqrt(square) rounded half up, from a 200-digit decimal square root."""
    with decimal.localcontext() as ctx:
        ctx.prec = 200
        root = (decimal.Decimal(square.numerator) / decimal.Decimal(square.denominator)).sqrt()
        ctx.prec, ctx.rounding = digits, decimal.ROUND_HALF_UP
        return str(+root)


def test_x4_rows_stop_before_long_fractions_and_are_exact():
    out = child("import json, symgd\n"
                "r = symgd.descend('x^4', 1, lr=0.1, exact=12)\n"
                "print(json.dumps({'message': r.message, "
                "'rows': [[str(v) for v in row] for row in r.history.exact], "
                "'table': r.table(exact=True, digits=8)}))")
    got = json.loads(out)
    want = fraction_x4(12)
    assert 1 < len(want) < 13                      # the bound is what stops the rows
    assert len(got["rows"]) == len(want)
    for row, (x, f, g) in zip(got["rows"], want):
        assert [Fraction(v) for v in row] == [x, f, g, abs(g)]
    stop = len(want) - 1
    assert f"Exact rows stop at iteration {stop}" in got["message"]
    assert f"more than {MAX_EXACT_DIGITS} digits" in got["message"]
    assert "the float run continues" in got["message"]
    last = got["table"].splitlines()[-1].split()
    assert last[0] == str(stop)


def test_x4_cli_with_more_rows_than_fit():
    out = shell("descend", "x^4", "--start", "1", "--lr", "0.1", "--exact", "14")
    stop = len(fraction_x4(14)) - 1
    assert f"Exact rows stop at iteration {stop}: the next one has fractions with more " \
           f"than {MAX_EXACT_DIGITS} digits" in out
    rows = [line.split() for line in out.splitlines()
            if line.split() and line.split()[0].isdigit()]
    assert [int(r[0]) for r in rows] == list(range(stop + 1))


def test_cubic_cli_default_exact():
    out = shell("descend", "x^3 - 3x + y^2", "--start", "0.5", "--lr", "0.1", "--exact")
    assert "Exact rows stop at iteration" in out and "the float run continues" in out


def test_car_rows_are_exact_where_shown():
    out = child("import json, symgd\n"
                "cars = symgd.mse('w*weight + b', 'cars', target='mpg', params=['w', 'b'])\n"
                "r = symgd.descend(cars, [0, 0], lr=0.01, max_iter=100, exact=100)\n"
                "print(json.dumps({'message': r.message, 'float': str(r.history.exact[-1][-1]),"
                "'rows': [[str(v) for v in row] for row in r.history.exact], "
                "'table': r.table(exact=True, digits=9)}))")
    got = json.loads(out)
    want = fraction_cars(100)
    assert len(got["rows"]) == len(want)
    if len(want) < 101:
        assert f"Exact rows stop at iteration {len(want) - 1}" in got["message"]
    else:
        assert "Exact rows stop" not in got["message"]
    table = {int(line.split()[0]): line.split()
             for line in got["table"].splitlines()[1:]}
    for k in (0, 1, 2, len(want) - 1):
        w, b, loss, gw, gb = want[k]
        row = got["rows"][k]
        assert [Fraction(v) for v in row[:5]] == [w, b, loss, gw, gb]
        norm = sp.sympify(row[5])
        assert norm ** 2 == sp.Rational(gw * gw + gb * gb)       # the norm is exact
        assert table[k][-1] == sqrt_text(gw * gw + gb * gb, 9)    # and rounded right


def test_car_cli_finishes():
    out = shell("fit", "cars", "--model", "w*weight + b", "--target", "mpg", "--lr", "0.01",
                "--exact", "100")
    assert "iteration" in out and "grad_norm" in out


def test_nested_exponentials_stop_and_rows_match_closed_form():
    out = child("import json, symgd\n"
                "r = symgd.descend('exp(x) + x^2', 1, lr=0.1, exact=20)\n"
                "print(json.dumps({'message': r.message, "
                "'rows': [[str(v) for v in row] for row in r.history.exact]}))")
    got = json.loads(out)
    assert 1 < len(got["rows"]) < 21
    assert f"Exact rows stop at iteration {len(got['rows']) - 1}: the next one has exact " \
           f"values of more than {MAX_EXACT_OPERATIONS} operations" in got["message"]
    x = sp.Integer(1)                   # x - (exp(x) + 2x)/10, written out here
    for row in got["rows"]:
        assert sp.simplify(sp.sympify(row[0]) - x) == 0
        x = x - (sp.exp(x) + 2 * x) / 10


def test_short_runs_keep_every_row_and_say_nothing():
    res = symgd.descend("x^2 + y^2", [1, 1], lr=0.25, max_iter=3, exact=3)
    assert len(res.history.exact) == 4
    assert res.history.exact[0][-1] == 2 * sp.sqrt(2)
    assert res.history.exact[1][-1] == sp.sqrt(2)
    assert "Exact rows" not in res.message


def test_long_first_row_has_no_rows_and_says_why():
    start = Fraction(10 ** 300 + 1, 3 * 10 ** 300)      # 301 digits; x^10 has 3000
    res = symgd.descend("x^10", start, lr=0.01, max_iter=2, exact=2)
    assert res.history.exact == []
    assert "No exact rows" in res.message
    with pytest.raises(InputError, match="too long to compute exactly"):
        res.table(exact=True)


@pytest.mark.parametrize("p,q", [(2, 1), (1, 3), (10 ** 40 + 7, 3 * 10 ** 39 + 1),
                                 (7, 10 ** 30), (10 ** 61 + 3, 1), (123456789, 1000)])
@pytest.mark.parametrize("digits", [1, 3, 6, 12])
def test_sqrt_rounding_without_factoring(p, q, digits):
    got = _sqrt_decimal(p, q, digits)
    assert got == decimal.Decimal(sqrt_text(Fraction(p, q), digits))
