r"""Per-row evaluation: a data loss summed over its rows at every step.

For losses that are not polynomials in their parameters (log-loss,
absolute error, networks), or when sufficient statistics are declined.
One compiled NumPy function with shared subexpressions evaluates every
row; linear forms :math:`\sum_j w_j x_j + b` are computed as one matrix
product over the stacked columns, and gradient components
:math:`\sum_i x_{ij} r_i` as dot products.
"""

from __future__ import annotations

import hashlib
import pickle
from typing import Sequence

import numpy as np
import sympy as sp

from ..errors import DataError, ObjectiveError
from ..fast.choice import compiles_allowed
from ..fast.rows import FusedKernel, use_kernel
from ..objective import (Compiled, Strategy, at_each_point, degree_bound, derivative, gradient_of,
                         directional_hessian, natural_key)
from .chunked import map_chunks
from .sample import SampleLoss

__all__ = ["RowEvaluator", "RowStrategy", "replace_linear_forms"]


class RowEvaluator:
    """Outputs such as ``(f, df/dθ1, ...)`` reduced over the rows (mean or sum):
    an :class:`~symgd.objective.evaluator.Evaluator` that evaluates every row.

    Linear forms ``c + Σ a_j·d_j`` over two or more data columns are computed
    as one matrix product with the stacked columns; an output of the form
    ``d·r`` (a data column times the rest) is reduced as a dot product, and
    those sharing ``r`` over all stacked columns as one ``r @ D``.

    Parameters
    ----------
    sample : SampleLoss
    outputs : sequence of sympy.Expr
        Expressions in the parameters and the data symbols, one per output.
    backend : {"auto", "numpy", "numba"}
        How a pass over every row is computed: NumPy (``"numpy"``), a fused
        numba kernel (``"numba"``, see ``symgd.fast.rows``), or, with
        ``"auto"``, the kernel when numba is installed and rows × outputs
        reaches ``symgd.fast.rows.AUTO_MIN_WORK`` (10⁶). A kernel is not
        used for subsampled rows, nor for expressions it cannot translate
        (``fallback`` says why); both paths agree to round-off.

    Examples
    --------
    >>> from symgd.data.tables import Dataset
    >>> from symgd.expr.parse import make_symbol
    >>> w, x, y = (make_symbol(s) for s in "wxy")
    >>> d = Dataset({"x": [1.0, 2.0], "y": [2.0, 4.0]})
    >>> loss = (w*x - y)**2
    >>> e = RowEvaluator(SampleLoss(loss, [w], {"x": "x", "y": "y"}, d), [loss, loss.diff(w)])
    >>> e.at([1.0]), e.reduced([1.0], rows=np.array([0])), e.vectorized
    ((2.5, -5.0), (1.0, -2.0), False)
    """

    vectorized = False
    """Many points are evaluated one at a time (each is a pass over the rows)."""

    def __init__(self, sample: SampleLoss, outputs: Sequence[sp.Expr],
                 backend: str = "auto") -> None:
        self.sample = sample
        self.backend = backend
        self.fallback: str | None = None
        """Why a full pass does not use the fused kernel (None when it does or
        was not asked to)."""
        self._kernel: FusedKernel | None | bool = None     # False: decided against
        self._kernel_ran = False
        data = set(sample.data_symbols)
        forms: dict[sp.Expr, sp.Symbol] = {}
        seen: dict = {}              # one walk of each shared subexpression for all outputs
        factored = [_column_factored(o, data) for o in outputs]
        self._per_row = factored
        outputs = [replace_linear_forms(o, data, forms, seen) for o in factored]
        self.forms = list(forms.items())
        self.stacked = sorted({d for f, _ in self.forms for d in f.free_symbols & data},
                              key=lambda s: natural_key(s.name))
        self._coefficients = self._form_coefficients(data)
        plan: list[tuple[sp.Symbol | None, int]] = []
        arrays: list[sp.Expr] = []
        for out in outputs:
            column, rest = _split_column(out, data)
            if rest not in arrays:
                arrays.append(rest)
            plan.append((column, arrays.index(rest)))
        self.plan = plan
        z = [s for _, s in self.forms]
        self.fn = Compiled((*sample.params, *z, *sample.data_symbols), arrays)
        self._stack: np.ndarray | None = None

    # What a Dask worker needs to evaluate the outputs: the expressions, not the data.
    _SHIPPED = ("backend", "fallback", "_per_row", "forms", "stacked", "_coefficients", "plan",
                "fn")
    _pickled: tuple[str, bytes] | None = None

    def __getstate__(self) -> dict:
        state = {name: getattr(self, name) for name in self._SHIPPED}
        sample = self.sample
        state["sample"] = SampleLoss(sample.per_sample, sample.params, sample.columns, None,
                                     sample.reduce)
        state.update(_stack=None, _kernel=False, _kernel_ran=False)   # NumPy on the workers
        return state

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    def __reduce__(self) -> tuple:
        # A worker that has seen this evaluator keeps it compiled: each step
        # sends the same bytes, and only the first unpickling compiles.
        if self._pickled is None:
            blob = pickle.dumps(self.__getstate__())
            self._pickled = (hashlib.sha1(blob).hexdigest(), blob)
        return (_evaluator_from, self._pickled)

    def _form_coefficients(self, data: set) -> Compiled:
        rows = []
        for form, _ in self.forms:
            const, terms = form.as_independent(*data, as_Add=True)
            coeff = {d: sp.S.Zero for d in self.stacked}
            for term in sp.Add.make_args(terms):
                c, d = term.as_independent(*data, as_Mul=True)
                coeff[d] += c
            rows.append([const, *(coeff[d] for d in self.stacked)])
        return Compiled(self.sample.params, [e for row in rows for e in row])

    @property
    def stack(self) -> np.ndarray:
        """The columns of the linear forms side by side: (rows, k), built once."""
        if self._stack is None:
            cols = [self.sample.column(d) for d in self.stacked]
            self._stack = np.column_stack(cols) if cols else np.empty((self.sample.rows, 0))
        return self._stack

    def _linear_forms(self, theta: Sequence[float], stack: np.ndarray | None) -> list:
        if not self.forms or stack is None:
            return []
        k = len(self.stacked)
        coeffs = np.array(self._coefficients.at(theta), dtype=float).reshape(-1, k + 1)
        z = stack @ coeffs[:, 1:].T + coeffs[:, 0]
        return [np.ascontiguousarray(z[:, m]) for m in range(len(self.forms))]

    def reduced(self, theta: Sequence[float], rows: np.ndarray | None = None) -> tuple:
        """Each output, reduced over all rows (mean or sum), or over ``rows`` only
        (then a sum is scaled up to estimate the sum over every row)."""
        theta = [float(t) for t in theta]
        sample = self.sample
        scale = sample.scale          # once: a property chain, 0.3 ms over 170 outputs
        if not sample.in_memory:
            if rows is not None:
                raise DataError(f"{sample.data.source} is streamed: its rows cannot be "
                                "sampled; load it with stream=False")
            sums = map_chunks(sample.data, sample.column_names, ChunkOutputs(self, theta),
                              np.add)
            return tuple(float(v) * scale for v in sums)
        columns = sample.column_arrays()
        kernel = self.kernel if rows is None else None
        if kernel is not None:
            sums = self._fused(kernel, theta, columns)
            if sums is not None:
                return tuple(float(v) * scale for v in sums)
        stack = self.stack if self.forms else None
        if rows is not None:
            columns = [c[rows] for c in columns]
            stack = stack[rows] if stack is not None else None
            scale = 1.0 / len(rows) if sample.reduce == "mean" else sample.rows / len(rows)
        results = self.sums(theta, columns, stack)
        return tuple(float(v) * scale for v in results)

    def sums(self, theta: Sequence[float], columns: Sequence[np.ndarray],
             stack: np.ndarray | None = None) -> list[float]:
        """Each output summed over the rows given as ``columns`` (one array
        per data symbol, in order); ``stack``, the stacked columns of the
        linear forms, is built from them when not given."""
        if stack is None and self.forms:
            index = dict(zip(self.sample.data_symbols, columns))
            stack = np.column_stack([index[d] for d in self.stacked]) if self.stacked \
                else np.empty((len(columns[0]), 0))
        with np.errstate(all="ignore"):
            values = self.fn.at_array([*theta, *self._linear_forms(theta, stack), *columns])
            return self._reduce(values, stack, list(columns))

    def _reduce(self, values: list[np.ndarray], stack: np.ndarray | None,
                columns: list[np.ndarray]) -> list[float]:
        results: list[float] = [0.0] * len(self.plan)
        together: dict[int, list[int]] = {}
        for k, (column, rest) in enumerate(self.plan):
            if column is None:
                results[k] = float(np.sum(values[rest]))
            else:
                together.setdefault(rest, []).append(k)
        index = dict(zip(self.sample.data_symbols, columns))
        for rest, ks in together.items():
            cols = [self.plan[k][0] for k in ks]
            if stack is not None and cols == self.stacked:
                for k, v in zip(ks, values[rest] @ stack):
                    results[k] = float(v)
                continue
            for k, col in zip(ks, cols):
                results[k] = float(np.dot(index[col], values[rest]))
        return results

    @property
    def kernel(self) -> FusedKernel | None:
        """The fused kernel that computes a full pass, if the backend chooses
        one (built once, compiled at its first call)."""
        if self._kernel is None:
            if self.backend == "auto" and not compiles_allowed():
                return None      # NumPy this time; decided when compiling is allowed
            self._kernel = False
            if use_kernel(self.backend, self.sample.rows, len(self.plan)):
                try:
                    self._kernel = FusedKernel(self._per_row, self.sample.params,
                                               self.sample.data_symbols)
                except ObjectiveError as err:
                    self.fallback = f"{err}; NumPy evaluates the rows"
        return self._kernel or None

    def _fused(self, kernel: FusedKernel, theta: list[float],
               columns: list[np.ndarray]) -> np.ndarray | None:
        """The kernel's sums, or None (and NumPy from now on) if it fails to compile."""
        if self._kernel_ran:
            return kernel(theta, columns)
        try:
            sums = kernel(theta, columns)
        except Exception as err:  # numba's typing and lowering errors have many kinds
            self._kernel = False
            self.fallback = f"the fused kernel did not compile ({type(err).__name__}); " \
                            "NumPy evaluates the rows"
            return None
        self._kernel_ran = True
        return sums

    def at(self, point: Sequence[float]) -> tuple[float, ...]:
        """The outputs at one point, reduced over every row."""
        return self.reduced(point)

    def at_array(self, columns: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The outputs at many points, one pass over the rows per point."""
        return at_each_point(self.at, columns)


_WORKER_EVALUATORS: dict[str, RowEvaluator] = {}


def _evaluator_from(key: str, blob: bytes) -> RowEvaluator:
    """A pickled :class:`RowEvaluator`, compiled once per process."""
    found = _WORKER_EVALUATORS.get(key)
    if found is None:
        found = RowEvaluator.__new__(RowEvaluator)
        found.__setstate__(pickle.loads(blob))
        if len(_WORKER_EVALUATORS) > 32:
            _WORKER_EVALUATORS.clear()
        _WORKER_EVALUATORS[key] = found
    return found


class ChunkOutputs:
    """A :class:`RowEvaluator`'s outputs summed over one chunk of rows at a
    fixed point (what a pass over streamed or distributed rows maps)."""

    def __init__(self, evaluator: RowEvaluator, theta: Sequence[float]) -> None:
        self.evaluator = evaluator
        self.theta = list(theta)

    def __call__(self, chunk: list[np.ndarray]) -> np.ndarray:
        return np.array(self.evaluator.sums(self.theta, chunk), dtype=float)


class RowStrategy(Strategy):
    """The strategy of a data loss evaluated row by row.

    It has no closed form in its parameters (``real_expr`` and the like are
    None); value and gradient, and the Hessian's entries, are each one
    :class:`RowEvaluator`, compiled when first used. Whether it is quadratic
    or linear is read off the per-sample loss: a mean of polynomials of
    degree at most 2 in the parameters is one.
    """

    def __init__(self, sample: SampleLoss, backend: str = "auto") -> None:
        super().__init__(sample.params)
        self.sample = sample
        self.backend = backend
        self._evaluator: RowEvaluator | None = None
        self._value_evaluator: RowEvaluator | None = None
        self._hessian_evaluator: RowEvaluator | None = None
        self._hessp_evaluator: RowEvaluator | None = None
        self._degree: tuple[int | None] | None = None

    @property
    def real_expr(self) -> None:
        return None

    @property
    def real_gradient(self) -> None:
        return None

    @property
    def real_hessian(self) -> None:
        return None

    @property
    def inlinable(self) -> bool:
        return False

    @property
    def evaluator(self) -> RowEvaluator:
        """Value and gradient, reduced over the rows."""
        if self._evaluator is None:
            loss = self.sample.per_sample
            self._evaluator = RowEvaluator(
                self.sample, (loss, *gradient_of(loss, self.symbols)), self.backend)
        return self._evaluator

    @property
    def value_evaluator(self) -> RowEvaluator:
        """The value alone, reduced over the rows (no gradient computed)."""
        if self._value_evaluator is None:
            self._value_evaluator = RowEvaluator(self.sample, (self.sample.per_sample,),
                                                 self.backend)
        return self._value_evaluator

    def hessp(self, point: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """The Hessian times ``direction``, reduced over the rows: per row, the
        gradient of the directional derivative (n outputs, not n*n), with the
        direction's components as extra parameters."""
        if self._hessp_evaluator is None:
            first = [derivative(self.sample.per_sample, p) for p in self.symbols]
            arguments, products = directional_hessian(first, self.symbols)
            sample = self.sample.with_params(arguments)
            self._hessp_evaluator = RowEvaluator(sample, products, self.backend)
        return np.array(self._hessp_evaluator.at([*point, *direction]), dtype=float)

    @property
    def hessian_evaluator(self) -> RowEvaluator:
        """The n*n second derivatives, reduced over the rows (each entry above
        the diagonal derived once and mirrored)."""
        if self._hessian_evaluator is None:
            loss, params, n = self.sample.per_sample, self.symbols, len(self.symbols)
            first = [derivative(loss, p) for p in params]
            entries: list[list[sp.Expr]] = [[sp.S.Zero] * n for _ in range(n)]
            for i in range(n):
                for j in range(i, n):
                    entries[i][j] = entries[j][i] = derivative(first[i], params[j])
            self._hessian_evaluator = RowEvaluator(self.sample,
                                                   [e for row in entries for e in row],
                                                   self.backend)
        return self._hessian_evaluator

    @property
    def vectorized(self) -> bool:
        return False

    @property
    def degree_bound(self) -> int | None:
        """The per-sample loss's degree bound in the parameters (the mean's
        degree is at most that)."""
        if self._degree is None:
            self._degree = (degree_bound(self.sample.per_sample, self.symbols),)
        return self._degree[0]

    @property
    def is_quadratic(self) -> bool:
        return self.degree_bound is not None

    @property
    def is_linear(self) -> bool:
        return self.degree_bound == 1


def replace_linear_forms(expr: sp.Expr, data: set,
                         forms: dict[sp.Expr, sp.Symbol], seen: dict | None = None) -> sp.Expr:
    """Each linear form ``c + Σ a_j·d_j`` of two or more data columns ``d_j``
    replaced by a symbol (the same form by the same symbol, kept in ``forms``).

    The walk is bottom-up, as :meth:`sympy.Basic.replace`'s, but visits each
    distinct subexpression once: ``seen`` (shared by the calls for the
    partial derivatives of one loss) remembers what each became, so a
    network's hundreds of partials, which share most of their subtrees, cost
    one pass instead of one each.

    >>> a, x1, x2 = sp.symbols("a x1 x2")
    >>> forms = {}
    >>> replace_linear_forms(sp.tanh(a*x1 + 2*x2 + 1), {x1, x2}, forms)
    tanh(_z0)
    >>> list(forms)
    [a*x1 + 2*x2 + 1]
    """
    seen = {} if seen is None else seen
    symbols = set(forms.values())

    def is_form(node: sp.Basic) -> bool:
        if not node.is_Add:
            return False
        count = 0
        for term in node.args:
            c, d = term.as_independent(*data, as_Mul=True)
            if d == 1:
                continue
            if d not in data or c.free_symbols & data:
                return False
            count += 1
        return count >= 2

    def name(node: sp.Expr) -> sp.Symbol:
        if node not in forms:
            forms[node] = sp.Dummy(f"z{len(forms)}", real=True)
            symbols.add(forms[node])
        return forms[node]

    def walk(node: sp.Basic) -> tuple[sp.Basic, bool]:
        """What ``node`` becomes, and whether it holds a form's symbol (a sum
        over a form's value varies by row: it is not a linear form)."""
        done = seen.get(node)
        if done is not None:
            return done
        if not node.args:
            result = (node, node in symbols)
        else:
            parts = [walk(arg) for arg in node.args]
            args = [p[0] for p in parts]
            holds = any(p[1] for p in parts)
            new = node if all(a is b for a, b in zip(args, node.args)) else node.func(*args)
            if not holds and is_form(new):
                new, holds = name(new), True
            result = (new, holds)
        seen[node] = result
        return result

    return walk(expr)[0]


def _column_factored(expr: sp.Expr, data: set) -> sp.Expr:
    """``x*a - x*y`` -> ``x*(a - y)``: a data column common to every term, taken
    out so the sum over rows becomes a dot product. (sympy.factor_terms does
    this too, but walks the whole tree: seconds for a network's derivatives.)"""
    if not expr.is_Add:
        return expr
    terms = expr.args
    for d in data:
        if all(t == d or t.is_Mul and d in t.args for t in terms):
            return d * sp.Add(*(t / d for t in terms))
    return expr


def _split_column(expr: sp.Expr, data: set) -> tuple[sp.Symbol | None, sp.Expr]:
    """``x * rest`` -> (x, rest) when a data column is a plain factor."""
    if expr.is_Mul:
        for factor in expr.args:
            if factor in data:
                return factor, expr / factor
    if expr in data:
        return expr, sp.S.One
    return None, expr
