"""The Objective: an expression, its ordered variables, derivatives and compiled forms."""
