"""Text to SymPy: the safe parser, the notation people type, the function registry."""
