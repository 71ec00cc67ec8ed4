r"""Small multilayer perceptrons as symbolic models.

:func:`mlp` writes a network out as one SymPy expression per sample: every
weight and bias is a named symbol (``W1_21`` is layer 1's weight from input
1 to unit 2; ``b1_2`` that unit's bias), the inputs are the data symbols
``x1, x2, ...``. Used with :func:`symgd.mse` or :func:`symgd.log_loss`, its
exact partial derivatives share their common subexpressions when compiled:
the symbolic form of backpropagation.

.. math::
    z^{(l)}_i = \sum_j W^{(l)}_{ij} a^{(l-1)}_j + b^{(l)}_i, \quad
    a^{(l)}_i = \phi(z^{(l)}_i), \quad a^{(0)} = x.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import sympy as sp

from .._options import seed as check_seed
from ..errors import InputError, InputTypeError
from ..expr.registry import relu, sigmoid
from ..expr.names import public
from ..expr.parse import check_name, make_symbol

__all__ = ["MLP", "mlp", "ACTIVATIONS", "INITIALIZERS", "parse_mlp_spec"]


ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "tanh": sp.tanh, "sigmoid": sigmoid, "relu": relu, "identity": lambda t: t,
}
INITIALIZERS = ("xavier", "he", "normal", "uniform")


@dataclass(frozen=True)
class MLP:
    """A multilayer perceptron written out symbolically (see :func:`mlp`).

    Attributes
    ----------
    expr : sympy.Expr
        The network's output for one sample, in the inputs and parameters.
    layers : tuple of int
        Units per layer, inputs first.
    inputs : tuple of str
        The input (data) names, ``x1, x2, ...``.
    params : tuple of str
        Every weight and bias, layer by layer.
    activation, output : str
    """

    expr: sp.Expr
    layers: tuple[int, ...]
    inputs: tuple[str, ...]
    params: tuple[str, ...]
    activation: str
    output: str

    def init(self, seed: int = 0, scheme: str = "xavier") -> dict[str, float]:
        r"""Random starting values, reproducible from ``seed``; biases start at 0.

        ``xavier`` (Glorot) draws uniformly from :math:`\pm\sqrt{6/(n_{in}+n_{out})}`,
        ``he`` from a normal with variance :math:`2/n_{in}` (for relu),
        ``normal`` from N(0, 1) × 0.1 and ``uniform`` from U(−0.5, 0.5).

        >>> net = mlp((2, 2, 1))
        >>> sorted(net.init(seed=1))[:3]
        ['W1_11', 'W1_12', 'W1_21']
        >>> net.init(seed=1) == net.init(seed=1)
        True
        """
        if scheme not in INITIALIZERS:
            raise InputError(f"unknown initialization {scheme!r}; choose one of "
                             f"{', '.join(INITIALIZERS)}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise InputTypeError(f"seed must be an integer, got {seed!r}")
        rng = np.random.default_rng(check_seed(seed))
        values: dict[str, float] = {}
        for layer, (n_in, n_out) in enumerate(zip(self.layers, self.layers[1:]), start=1):
            shape = (n_out, n_in)
            if scheme == "xavier":
                limit = np.sqrt(6.0 / (n_in + n_out))
                w = rng.uniform(-limit, limit, size=shape)
            elif scheme == "he":
                w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=shape)
            elif scheme == "normal":
                w = 0.1 * rng.normal(size=shape)
            else:
                w = rng.uniform(-0.5, 0.5, size=shape)
            for i in range(n_out):
                for j in range(n_in):
                    values[_weight(layer, i + 1, j + 1, n_out, n_in)] = float(w[i, j])
                values[_bias(layer, i + 1, n_out)] = 0.0
        return {p: values[p] for p in self.params}

    def __str__(self) -> str:
        return (f"MLP {'-'.join(map(str, self.layers))} ({self.activation} hidden, "
                f"{self.output} output, {len(self.params)} parameters)")


def _weight(layer: int, i: int, j: int, n_out: int, n_in: int) -> str:
    sep = "_" if max(n_out, n_in) > 9 else ""
    return f"W{layer}_{i}{sep}{j}"


def _bias(layer: int, i: int, n_out: int) -> str:
    return f"b{layer}_{i}"


def mlp(layers: Sequence[int], activation: str = "tanh", output: str = "identity",
        inputs: Sequence[str] | None = None) -> MLP:
    """A multilayer perceptron with one output, written out symbolically.

    Parameters
    ----------
    layers : sequence of int
        Units per layer, inputs first and one output last: ``(2, 3, 1)``.
    activation : {"tanh", "sigmoid", "relu", "identity"}
        The hidden layers' activation.
    output : {"identity", "sigmoid", "tanh", "relu"}
        The output's activation (``sigmoid`` for a probability and log-loss).
    inputs : sequence of str, optional
        Names of the input columns; ``x1, x2, ...`` by default.

    Examples
    --------
    >>> net = mlp((2, 2, 1), activation="tanh")
    >>> net.params
    ('W1_11', 'W1_12', 'W1_21', 'W1_22', 'b1_1', 'b1_2', 'W2_11', 'W2_12', 'b2_1')
    >>> net.expr
    W2_11*tanh(W1_11*x1 + W1_12*x2 + b1_1) + W2_12*tanh(W1_21*x1 + W1_22*x2 + b1_2) + b2_1
    """
    layers = _check_layers(layers)
    for name, value in (("activation", activation), ("output", output)):
        if value not in ACTIVATIONS:
            raise InputError(f"unknown {name} {value!r}; choose one of "
                             f"{', '.join(ACTIVATIONS)}")
    names = tuple(inputs) if inputs is not None else \
        tuple(f"x{k}" for k in range(1, layers[0] + 1))
    if len(names) != layers[0]:
        raise InputError(f"{len(names)} input names for {layers[0]} inputs")
    a = [make_symbol(check_name(n, "input")) for n in names]
    params: list[str] = []
    for layer, (n_in, n_out) in enumerate(zip(layers, layers[1:]), start=1):
        phi = ACTIVATIONS[output if layer == len(layers) - 1 else activation]
        weights = [[_weight(layer, i, j, n_out, n_in) for j in range(1, n_in + 1)]
                   for i in range(1, n_out + 1)]
        biases = [_bias(layer, i, n_out) for i in range(1, n_out + 1)]
        params += [w for row in weights for w in row] + biases
        a = [phi(sp.Add(*(make_symbol(w) * aj for w, aj in zip(row, a)), make_symbol(b)))
             for row, b in zip(weights, biases)]
    return MLP(public(a[0]), layers, names, tuple(params), activation, output)


def _check_layers(layers: Any) -> tuple[int, ...]:
    try:
        values = tuple(layers)
    except TypeError:
        raise InputTypeError(f"layers must be a sequence of unit counts such as (2, 3, 1), "
                             f"got {layers!r}") from None
    if len(values) < 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                              or v < 1 for v in values):
        raise InputError(f"layers must be at least two positive integers, inputs first: "
                         f"(2, 3, 1); got {layers!r}")
    if values[-1] != 1:
        raise InputError(f"the network must end in one output unit for mse or log-loss; "
                         f"got {values[-1]}")
    if sum(a * b + b for a, b in zip(values, values[1:])) > 2000:
        raise InputError("the network has more than 2,000 parameters; symgd writes every "
                         "weight out symbolically and is meant for small networks")
    return tuple(int(v) for v in values)


_SPEC = re.compile(r"mlp:(\d+(?:-\d+)+)(?::([a-z]+))?(?::([a-z]+))?\Z")


def parse_mlp_spec(text: str) -> MLP:
    """``"mlp:2-3-1:tanh"`` (or ``mlp:2-3-1:tanh:sigmoid`` for the output) -> MLP.

    >>> str(parse_mlp_spec("mlp:2-3-1:tanh"))
    'MLP 2-3-1 (tanh hidden, identity output, 13 parameters)'
    """
    m = _SPEC.fullmatch(text.strip())
    if m is None:
        raise InputError(f"{text!r} is not a network; write mlp:2-3-1 or mlp:2-3-1:tanh "
                         "(hidden activation) or mlp:2-3-1:tanh:sigmoid (and output)")
    layers = tuple(int(v) for v in m.group(1).split("-"))
    return mlp(layers, activation=m.group(2) or "tanh", output=m.group(3) or "identity")
