r"""Checking derivatives that someone worked out: homework, a gradient
hand-coded into a model, a textbook's table of iterates.

* :func:`check_gradient` and :func:`check_hessian` compare claimed partial
  derivatives (text, SymPy or a Python function) with the exact ones. Each
  component gets a verdict: ``"equal"`` (SymPy reduced the difference to 0),
  ``"different"`` (a point where both are defined and differ, with both
  values there), or ``"undecided"`` (simplification did not decide in time;
  then the numeric comparison at random points is reported as such). A wrong
  component names the likely mistake when it is cheap to tell.
* :func:`check_grad` compares any ``grad(x)`` with finite differences of any
  ``f(x)``, per component, by complex step where ``f`` accepts complex input.
* :func:`check_many` grades many submissions in one process, one verdict
  (right, wrong, undecided, error) per item, with a per-item time limit.
* :func:`check_steps` recomputes a published table of gradient-descent
  iterates, row by row, at the table's printed precision.

Symbolic work runs in a child process that is killed at the time limit, so a
slow ``simplify`` never hangs the caller. Claimed text goes only through
:func:`symgd.parse`.

The modules, one job each: :mod:`.reports` (what the checks hand back),
:mod:`.targets` (the exact derivatives), :mod:`.claims` (reading a claim),
:mod:`.sampling` (both at random points), :mod:`.diagnose` (the likely
mistake), :mod:`.symbolic` (the exact work, in a child process),
:mod:`.gradient` (check_gradient, check_hessian), :mod:`.numeric`
(check_grad), :mod:`.steps` (check_steps), :mod:`.batch` (check_many:
grading many submissions in one process).

Examples
--------
>>> report = check_gradient("x^2 + x*y + y^2", "2x + y, -x - 2y")
>>> report.ok
False
>>> print(report.components[0].summary())
∂f/∂x: claimed 2x + y is right (= 2*x + y)
>>> report.components[1].verdict, report.components[1].mistake.kind
('different', 'sign error')
>>> check_report_exit_code(report)
1
"""

from .batch import BatchCheck, ItemCheck, check_many
from .gradient import check_gradient, check_hessian
from .numeric import check_grad
from .reports import (DIFFERENT, EQUAL, UNDECIDED, ComponentCheck, Counterexample,
                      GradientReport, HessianReport, LossRow, Mistake, NumericComponent,
                      NumericReport, StepRow, StepsReport, check_report_exit_code)
from .steps import check_steps

__all__ = ["check_gradient", "check_hessian", "check_grad", "check_steps", "check_many",
           "BatchCheck", "ItemCheck",
           "check_report_exit_code", "GradientReport", "HessianReport", "ComponentCheck",
           "Counterexample", "Mistake", "NumericReport", "NumericComponent",
           "StepsReport", "StepRow", "LossRow", "EQUAL", "DIFFERENT", "UNDECIDED"]
