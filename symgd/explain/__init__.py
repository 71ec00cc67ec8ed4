"""Derivatives step by step, one textbook rule per line."""
