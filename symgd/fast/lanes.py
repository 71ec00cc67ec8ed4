"""The lanes of a fused kernel in one loop (:mod:`symgd.fast.rows`): the
tanh values that a network's outputs share, computed a sub-block of rows
at a time and a layer at a time, in vector lanes, before the row loop that
adds up the outputs reads them from a buffer."""

from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

from ..expr.registry import relu

__all__ = ["lane_temporaries", "lanes_source"]


def lane_temporaries(per_row: list) -> list:
    """The per-row temporaries that are a tanh, when they and what they are
    computed from call no other function: a kernel in one loop computes them
    first, a sub-block at a time, in ``_lanes`` (a loop in vector lanes with
    symgd's branch-free tanh), and its row loop reads them from a buffer.
    A 2-16-1 network's 16 tanh a row took 1.8 of its 2.3 ms on 10,000 rows."""
    defined = dict(per_row)
    lanes = [t for t, e in per_row if isinstance(e, sp.tanh)]
    need = set(lanes).union(*(_needs(t, defined) for t in lanes))
    allowed = (sp.tanh, sp.Abs, sp.sign, sp.Heaviside, relu)
    for t in need:
        for node in sp.preorder_traversal(defined[t]):
            if (isinstance(node, sp.Function) and not isinstance(node, allowed)) or \
                    (node.is_Pow and not node.exp.is_Integer):
                return []
    return lanes


def _needs(t: Any, defined: dict, stop: frozenset = frozenset()) -> set:
    """The temporaries of ``defined`` that ``t`` is computed from, directly
    or through others (not looking past those in ``stop``)."""
    found, stack = set(), [u for u in defined[t].free_symbols if u in defined]
    while stack:
        u = stack.pop()
        if u not in found:
            found.add(u)
            if u not in stop:
                stack += [v for v in defined[u].free_symbols if v in defined]
    return found


def lanes_source(args: str, params: Sequence, hoisted: list, per_row: list, lanes: list,
                 data: Sequence, names: dict, assign: Any) -> tuple[list[str], dict]:
    """``_lanes``: the tanh temporaries of rows ``lo`` to ``hi`` into ``buf``,
    a layer at a time: a row loop writes the arguments of the tanh values
    that need no tanh of a later layer, then the shared ``_tanh_rows`` (one
    function for every kernel) replaces them by their tanh in vector lanes,
    and the next layer's loop reads them (the tanh inlined in the row loop
    compiled 3-4 s longer for a network). Returns the source lines and each
    tanh temporary's row of ``buf``."""
    defined = dict(hoisted + per_row)
    tanh = frozenset(lanes)
    needs = {t: _needs(t, defined, tanh) for t in lanes}   # up to the tanh values
    level: dict = {}
    for t in lanes:                      # in order: what a tanh needs comes first
        level[t] = 1 + max((level[u] for u in needs[t] & tanh), default=-1)
    order = sorted(lanes, key=lambda t: level[t])
    slot = {t: m for m, t in enumerate(order)}
    lines = ["", "", f"def _lanes({args}lo, hi, buf):"]
    lines += [f"    p{k} = theta[{k}]" for k in range(len(params))]
    used = set().union(*needs.values())
    for t, e in hoisted:
        if t in used:
            lines += assign(names[t], e, "    ")
    lines += [f"    v{k} = c{k}[lo:hi]" for k in range(len(data))]
    for stage in range(max(level.values()) + 1):
        mine = [t for t in order if level[t] == stage]
        need = set().union(*(needs[t] for t in mine))
        lines.append("    for j in range(hi - lo):")
        lines += [f"        d{k} = v{k}[j]" for k in range(len(data))]
        for t, e in per_row:
            if t in need and t in tanh:
                lines.append(f"        {names[t]} = buf[{slot[t]}, j]")
            elif t in need:
                lines += assign(names[t], e, " " * 8)
            if t in mine:
                lines += assign(f"buf[{slot[t]}, j]", defined[t].args[0], " " * 8)
        lines.append(f"    _tanh_rows(buf, {slot[mine[0]]}, {slot[mine[-1]] + 1}, hi - lo)")
    return lines, slot
