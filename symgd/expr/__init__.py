"""Text to SymPy: the safe parser, the notation people type, the function registry.

The modules, in the order text goes through them: :mod:`.tokens` (which
characters are accepted), :mod:`.letters` (``xy``, ``sinx``: one name, a
product, or a question), :mod:`.notation` (``x²``, ``2x``, ``sin x``, ``|x|``),
:mod:`.build` (the whitelist walk to SymPy), with :mod:`.parse` the entry
points and :mod:`.limits` the safety limits; :mod:`.names` and
:mod:`.numbers` check the names and numbers a user gives;
:mod:`.registry` is the one table of the functions symgd knows, and
:mod:`.equal` the one oracle of whether two expressions agree.
"""

from .equal import agree, cheap_zero, is_zero, simplify_zero, values_at
from .limits import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH, MAX_NAME_LENGTH, MAX_NUMBER_BITS
from .names import check_name, is_made_symbol, make_symbol, names_list, natural_key, plain_symbol, public
from .numbers import constant_values, exact_number, float_number, has_float_value
from .parse import Definition, parse, parse_definition, parse_real, split_top_level
from .registry import (BARE_SYMBOL_NAMES, FUNCTION_RULES, FUNCTIONS, OWN_FUNCTIONS,
                       REAL_ARGUMENT_RULES, REGISTRY, Entry, mpmath_namespace,
                       numeric_namespace, relu, sigmoid, softplus)

__all__ = [
    "parse", "parse_real", "parse_definition", "plain_symbol", "public", "is_made_symbol", "Definition", "split_top_level",
    "check_name", "make_symbol", "natural_key", "names_list",
    "exact_number", "float_number", "constant_values", "has_float_value",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_NUMBER_BITS", "MAX_NAME_LENGTH",
    "sigmoid", "softplus", "relu", "Entry", "REGISTRY", "OWN_FUNCTIONS", "FUNCTIONS",
    "BARE_SYMBOL_NAMES", "FUNCTION_RULES", "REAL_ARGUMENT_RULES", "numeric_namespace",
    "mpmath_namespace", "agree", "values_at", "is_zero", "cheap_zero", "simplify_zero",
]
