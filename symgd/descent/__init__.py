"""Gradient descent: step rules, the loop, results and their histories."""
