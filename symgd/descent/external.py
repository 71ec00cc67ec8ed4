"""SciPy's minimizers on a symgd objective: :func:`minimize`.

A thin pass-through to :func:`scipy.optimize.minimize` that hands the
objective's exact gradient, Hessian or Hessian-vector product to the
methods that use them, records every iterate through SciPy's callback and
returns symgd's :class:`~symgd.descent.result.Result` and
:class:`~symgd.descent.result.History`, so SciPy's methods and symgd's step
rules can be compared on one objective, table by table. SciPy is an
optional dependency (``pip install symgd[scipy]``).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from .._progress import Progress, progress_line
from ..errors import InputError, SymgdError
from ..objective.core import as_objective
from .result import History, Iterate, Result, Status

__all__ = ["minimize", "GRADIENT_METHODS", "HESSIAN_METHODS", "HESSP_METHODS"]

GRADIENT_METHODS = frozenset({"cg", "bfgs", "newton-cg", "l-bfgs-b", "tnc", "slsqp", "dogleg",
                              "trust-ncg", "trust-krylov", "trust-exact", "trust-constr"})
"""The methods of :func:`scipy.optimize.minimize` that use the gradient (``jac``)."""

HESSIAN_METHODS = frozenset({"newton-cg", "dogleg", "trust-ncg", "trust-krylov", "trust-exact",
                             "trust-constr"})
"""The methods that use second derivatives (``hess`` or ``hessp``)."""

HESSP_METHODS = frozenset({"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"})
"""The methods given the Hessian-vector product ``hessp`` by default (the others
that use second derivatives get the Hessian)."""


def _scipy_optimize() -> Any:
    try:
        return importlib.import_module("scipy.optimize")
    except ImportError:
        raise SymgdError("symgd.minimize runs SciPy's minimizers, and SciPy is not "
                         "installed; install it with pip install 'symgd[scipy]' (or "
                         "pip install scipy)") from None


def minimize(objective: object, x0: object, method: str | None = None, *,
             callback: Callable[[Iterate], Any] | None = None, progress: bool | str = False,
             variables: Iterable[str] | None = None,
             constants: Mapping[str, object] | None = None, **options: Any) -> Result:
    """Minimize with one of SciPy's methods, returning symgd's Result and History.

    The exact derivatives are passed where ``method`` uses them: ``jac`` for
    the gradient methods (BFGS, CG, L-BFGS-B, ...), ``hessp`` (the
    Hessian-vector product, no Hessian formed) for Newton-CG, trust-ncg,
    trust-krylov and trust-constr, ``hess`` for trust-exact and dogleg.
    Anything given in ``options`` (``jac=``, ``hess=``, ``hessp=``,
    ``bounds=``, ``tol=``, ``options={"maxiter": ...}``, ...) is passed to
    :func:`scipy.optimize.minimize` as it is and wins over these.

    Parameters
    ----------
    objective : Objective or anything it accepts
    x0 : sequence, mapping or number
        The start, as for :func:`~symgd.descend`.
    method : str, optional
        A method of :func:`scipy.optimize.minimize` ("BFGS", "Newton-CG",
        "trust-krylov", "trust-exact", "L-BFGS-B", "Nelder-Mead", ...). By
        default SciPy's choice: "SLSQP" with ``constraints``, "L-BFGS-B"
        with ``bounds``, else "BFGS".
    callback : callable, optional
        Called with an :class:`~symgd.Iterate` at every iterate SciPy reports
        (the start included); a true return value stops the run.
    progress : bool or "auto"
        Show a progress line on standard error (see :func:`~symgd.descend`).
    variables, constants
        Passed to :class:`~symgd.Objective` when ``objective`` is not one.
    **options
        Passed to :func:`scipy.optimize.minimize`.

    Returns
    -------
    Result
        ``x``, ``fun``, ``jac`` at the end; ``nit``, ``nfev``, ``njev`` and
        ``nhev`` as SciPy counted them (calls of the functions it was
        given); ``history`` holds the start and every iterate SciPy
        reported to its callback, with the loss and gradient there (taken
        from SciPy's own evaluations when it made one at that point, else
        evaluated for the record, which the counts leave out). ``status``
        is ``CONVERGED`` when SciPy reports success, ``MAX_ITER`` when it
        stopped at its iteration or evaluation limit, ``NOT_FINITE`` at a
        non-finite loss, ``CALLBACK`` when the callback stopped it and
        ``LINE_SEARCH_FAILED`` for any other failure (no further decrease
        found); the message starts with SciPy's own.

    Raises
    ------
    SymgdError
        When SciPy is not installed.

    Examples
    --------
    >>> import symgd
    >>> res = symgd.minimize("(1 - x)^2 + 100*(y - x^2)^2", [-1.2, 1], method="trust-krylov")
    >>> res.success, np.allclose(res.x, [1, 1], atol=1e-3), res["nhev"] > 0
    (True, True, True)
    >>> len(res.history) == res.nit + 1
    True
    """
    optimize = _scipy_optimize()
    obj = as_objective(objective, variables, constants)
    start = obj.point(x0, "x0")
    if method is None:
        method = "SLSQP" if options.get("constraints") else \
            "L-BFGS-B" if options.get("bounds") is not None else "BFGS"
    if not isinstance(method, str):
        raise InputError(f"method must be the name of a SciPy method, such as 'BFGS'; "
                         f"got {method!r:.60}")
    key = method.lower()
    memo = _Memo(obj)
    given: dict[str, Any] = {}
    if key in GRADIENT_METHODS:
        given["jac"] = memo.grad
    if key in HESSP_METHODS:
        given["hessp"] = memo.hessp
    elif key in HESSIAN_METHODS:
        given["hess"] = memo.hess
    for taken in ("hess", "hessp"):
        if taken in options:             # the caller's choice replaces ours
            given.pop("hess", None)
            given.pop("hessp", None)
    given.update(options)
    line = progress_line(f"SciPy {method}", show=progress)
    record = _Record(obj, memo, start, callback, line)
    with np.errstate(all="ignore"):
        try:
            res = optimize.minimize(memo.value, start, method=method,
                                    callback=record.intermediate, **given)
        except _Stopped:
            res = optimize.OptimizeResult(
                x=record.rows[-1][0], success=False, nit=len(record.rows) - 1,
                nfev=memo.nfev, njev=memo.njev, nhev=memo.nhev,
                message="stopped by the callback")
        except ValueError as err:
            if "Unknown solver" in str(err) or "method" in str(err).lower():
                raise InputError(f"SciPy has no method {method!r} ({err})") from None
            raise
        finally:
            if line is not None:
                line.close()
    x = np.array(res.x, dtype=float).reshape(obj.n)
    fun, grad = memo.at(x)
    history = record.history(x, fun, grad)
    nit = int(getattr(res, "nit", len(history) - 1))
    status = _status(res, fun, record.stopped)
    success = bool(res.success) and status == Status.CONVERGED
    message = (f"SciPy {method}: {res.message} ({nit} iterations, {res.get('nfev', 0)} "
               f"evaluations of the objective).")
    return Result(x, float(fun), grad, nit, success, int(status), message, history,
                  obj.names, None, options.get("tol"), f"scipy:{method}",
                  nfev=int(res.get("nfev", 0)),
                  njev=int(res.get("njev", 0)), nhev=int(res.get("nhev", 0)))


class _Stopped(Exception):
    """The callback stopped a method that has no way to stop (see ``_Record``)."""


class _Memo:
    """The objective's value and gradient as SciPy calls them, remembering
    the last points (so the history reuses SciPy's own evaluations)."""

    KEEP = 8

    def __init__(self, obj: Any) -> None:
        self.obj = obj
        self.values: dict[bytes, float] = {}
        self.grads: dict[bytes, np.ndarray] = {}
        self.nfev = self.njev = self.nhev = 0

    def _keep(self, table: dict, key: bytes, value: Any) -> None:
        table[key] = value
        if len(table) > self.KEEP:
            del table[next(iter(table))]

    def value(self, x: np.ndarray) -> float:
        self.nfev += 1
        v = self.obj.value(np.asarray(x, dtype=float).reshape(self.obj.n))
        self._keep(self.values, np.asarray(x, dtype=float).tobytes(), v)
        return v

    def grad(self, x: np.ndarray) -> np.ndarray:
        self.njev += 1
        g = self.obj.grad(np.asarray(x, dtype=float).reshape(self.obj.n))
        self._keep(self.grads, np.asarray(x, dtype=float).tobytes(), g)
        return g

    def hess(self, x: np.ndarray) -> np.ndarray:
        self.nhev += 1
        return self.obj.hess(x)

    def hessp(self, x: np.ndarray, p: np.ndarray) -> np.ndarray:
        self.nhev += 1
        return self.obj.hessp(x, p)

    def at(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Value and gradient at ``x``: remembered, else evaluated (uncounted)."""
        key = np.asarray(x, dtype=float).tobytes()
        if key in self.values and key in self.grads:
            return self.values[key], self.grads[key].copy()
        value, grad = self.obj.value_and_grad(x)
        return float(value), grad


class _Record:
    """SciPy's callback: every iterate, as rows of a History."""

    def __init__(self, obj: Any, memo: _Memo, start: np.ndarray,
                 callback: Callable[[Iterate], Any] | None,
                 progress: Progress | None = None) -> None:
        self.obj, self.memo, self.callback = obj, memo, callback
        self.progress = progress
        self.rows: list[tuple[np.ndarray, float, np.ndarray]] = []
        self.stopped = False
        self._add(start)

    def _add(self, x: np.ndarray) -> bool:
        x = np.array(x, dtype=float).reshape(self.obj.n)
        fun, grad = self.memo.at(x)
        self.rows.append((x, fun, grad))
        if self.progress is not None:
            self.progress.update(len(self.rows) - 1, fun)
        if self.callback is None:
            return False
        it = len(self.rows) - 1
        stop = bool(self.callback(Iterate(it, x.copy(), fun, grad.copy(),
                                          float(np.hypot.reduce(grad)))))
        self.stopped = self.stopped or stop
        return stop

    def intermediate(self, intermediate_result: Any) -> None:
        """SciPy's callback: the ``intermediate_result`` form, or the point
        itself for the methods that still pass only that (TNC)."""
        stop = self._add(getattr(intermediate_result, "x", intermediate_result))
        if stop and hasattr(intermediate_result, "x"):
            raise StopIteration            # SciPy stops and reports the callback
        if stop:
            raise _Stopped                 # the older form cannot stop SciPy: unwind

    def history(self, x: np.ndarray, fun: float, grad: np.ndarray) -> History:
        if not np.array_equal(self.rows[-1][0], x):
            self.rows.append((x, fun, grad))
        xs = np.array([r[0] for r in self.rows])
        losses = np.array([r[1] for r in self.rows])
        grads = np.array([r[2] for r in self.rows])
        return History(self.obj.names, xs, losses, grads, np.hypot.reduce(grads, axis=1))


def _status(res: Any, fun: float, stopped: bool) -> Status:
    if stopped:
        return Status.CALLBACK
    if not np.isfinite(fun):
        return Status.NOT_FINITE
    if res.success:
        return Status.CONVERGED
    text = str(res.message).lower()
    if "maximum" in text or "limit" in text or "max" in text and "iter" in text:
        return Status.MAX_ITER
    return Status.LINE_SEARCH_FAILED
