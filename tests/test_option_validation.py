"""Every numeric option is checked before any work: a bad value (text, a bool,
a complex number, NaN, an infinity, a signalling NaN, an integer beyond
float64, a value out of range) is one symgd error naming the option (the flag
on the command line), never a raw traceback or a warning, and never blamed on
the objective later in the run."""

from __future__ import annotations

import decimal
import fractions
import io
import warnings

import numpy as np
import pytest

import symgd
from symgd.cli import main

HUGE = 10 ** 400
BAD_NUMBERS = [
    pytest.param("abc", id="text"), pytest.param(True, id="bool"),
    pytest.param(complex(1, 1), id="complex"), pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="inf"), pytest.param(HUGE, id="huge-int"),
    pytest.param(decimal.Decimal("sNaN"), id="decimal-snan"),
    pytest.param(decimal.Decimal("NaN"), id="decimal-nan"), pytest.param([1], id="list"),
    pytest.param(None, id="none"),
]

def _animate(**kw):
    run = symgd.descend("x^2 + y^2", [1, 1], lr=0.3, max_iter=3)
    symgd.animate("x^2 + y^2", run, **kw).symgd_close()


def _slice(**kw):
    symgd.plot_slice("x^2", "x", **kw).close()


def _save(**kw):
    d = symgd.plot_slice("x^2", "x")
    try:
        symgd.save_figure(d, "/tmp/never-written.png", **kw)
    finally:
        d.close()


# option -> (the call that takes it, values out of its range)
OPTIONS = {
    "lr": (lambda v: symgd.descend("x^2", [1], lr=v), [0, -1]),
    "tol": (lambda v: symgd.descend("x^2", [1], lr=0.1, tol=v), [-1]),
    "ftol": (lambda v: symgd.descend("x^2", [1], lr=0.1, ftol=v), [-1]),
    "beta": (lambda v: symgd.descend("x^2", [1], lr=0.1, step="momentum", beta=v), [1, -0.1, 2]),
    "beta1": (lambda v: symgd.descend("x^2", [1], lr=0.1, step="adam", beta1=v), [1, -0.5]),
    "eps": (lambda v: symgd.descend("x^2", [1], lr=0.1, step="adam", eps=v), [0, -1]),
    "rho": (lambda v: symgd.descend("x^2", [1], lr=0.1, step="rmsprop", rho=v), [1, -1]),
    "decay": (lambda v: symgd.descend("x^2", [1], lr=0.1, schedule="inverse", decay=v), [-1]),
    "decay (exponential)": (lambda v: symgd.descend("x^2", [1], lr=0.1,
                                                   schedule="exponential", decay=v), [2, -1]),
    "fps": (lambda v: _animate(fps=v), [0, -2]),
    "dpi": (lambda v: _save(dpi=v), [0, -3, 5000]),
    "tangent_at": (lambda v: _slice(tangent_at=v), []),
}
WHOLE = {
    "max_iter": (lambda v: symgd.descend("x^2", [1], lr=0.1, max_iter=v), [-1, 2.5]),
    "every": (lambda v: symgd.descend("x^2", [1], lr=0.1, schedule="step", every=v), [0, -2]),
    "seed": (lambda v: symgd.mlp((1, 2, 1)).init(seed=v), [-1, 2 ** 70]),
}


def _raises_naming(call, value, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(symgd.SymgdError) as info:
            call(value)
    assert name.split()[0] in str(info.value), str(info.value)
    assert "Traceback" not in str(info.value)
    return str(info.value)


ALL = {**OPTIONS, **WHOLE}     # numbers and whole numbers: the same checks


@pytest.mark.parametrize("name", sorted(ALL))
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_a_bad_number_names_the_option(name, value):
    call, _ = ALL[name]
    if name == "tol" and value is None:
        pytest.skip("tol=None turns the gradient test off: a documented value")
    if name == "tangent_at" and value is None:
        pytest.skip("tangent_at=None draws no tangent: a documented value")
    if name == "max_iter" and value is HUGE:
        assert call(value).success          # a cap of any size: the run converges first
        return
    _raises_naming(call, value, name)


@pytest.mark.parametrize("name", sorted(ALL))
def test_a_value_out_of_range_names_the_option(name):
    call, values = ALL[name]
    for value in values:
        _raises_naming(call, value, name)


@pytest.mark.parametrize("value", [0.5, np.float32(0.5), np.array(0.5), fractions.Fraction(1, 2),
                                   decimal.Decimal("0.5"), 1])
def test_every_real_kind_of_number_is_accepted(value):
    run = symgd.descend("x^2", [1], lr=value, max_iter=3)
    assert run.lr == pytest.approx(float(value))


def test_whole_floats_are_counts():
    assert symgd.descend("x^2", [1], lr=0.1, max_iter=np.int64(5), tol=None).nit == 5


def test_infinite_decay_is_refused_not_blamed_on_the_objective():
    msg = _raises_naming(OPTIONS["decay"][0], float("inf"), "decay")
    assert "log" not in msg and "negative" not in msg


def test_a_callback_that_is_not_a_function():
    msg = _raises_naming(lambda v: symgd.descend("x^2", [1], lr=0.1, callback=v), 5, "callback")
    assert "function" in msg


def test_a_huge_start_names_the_start():
    _raises_naming(lambda v: symgd.descend("x^2", [v], lr=0.1), HUGE, "start")


# ------------------------------------------------------------ the command line

def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv, flag", [
    (["descend", "x^2", "--start", "1", "--option", "schedule=inverse", "--option", "decay=abc"],
     "decay"),
    (["descend", "x^2", "--start", "1", "--option", "schedule=inverse", "--option", "decay=inf"],
     "decay"),
    (["descend", "x^2", "--start", "1", "--step", "momentum", "--option", f"beta={9 * HUGE}"],
     "beta"),
    (["descend", "x^2", "--start", "1", "--step", "adam", "--option", "eps=abc"], "eps"),
    (["descend", "x^2", "--start", "1", "--step", "rmsprop", "--option", "rho=2"], "rho"),
    (["descend", "x^2", "--start", "1", "--option", "schedule=step", "--option", "every=0"],
     "--every"),
    (["descend", "x^2", "--start", "1", "--lr", "1e400"], "--lr"),
    (["descend", "x^2", "--start", "1", "--lr", "abc"], "--lr"),
    (["descend", "x^2", "--start", "1", "--max-iter", "1e400"], "--max-iter"),
    (["descend", "x^2", "--start", "1e400"], "1e400"),
    (["fit", "pizza", "--model", "w*x + b", "--columns", "x=Reservations,y=Pizzas",
      "--batch-size", "2", "--epochs", "1", "--seed", "-1"], "--seed"),
    (["fit", "pizza", "--model", "mlp:1-2-1", "--columns", "x1=Reservations,y=Pizzas",
      "--seed", "-1", "--max-iter", "2"], "--seed"),
    (["plot", "contour", "x^2 + y^2", "--start", "1,1", "--dpi", "100000", "-o", "c.png"],
     "--dpi"),
    (["plot", "contour", "x^2 + y^2", "--start", "1,1", "--dpi", "3000", "-o", "c.png"],
     "--dpi"),
    (["animate", "x^2 + y^2", "--start", "1,1", "--fps", "0", "-o", "a.gif"], "--fps"),
    (["animate", "x^2 + y^2", "--start", "1,1", "--dpi", "900", "--frames", "300", "-o",
      "a.gif"], "dpi"),
])
def test_cli_bad_numbers_are_one_line_naming_the_flag(argv, flag, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = cli(*argv)
    assert code == 2, (out, err)
    assert err.startswith("symgd: error:") and err.count("\n") == 1, err
    assert "Traceback" not in err and flag in err, err
    assert list(tmp_path.iterdir()) == []            # nothing written
