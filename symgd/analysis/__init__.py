"""Analysis: stationary points and step-size bounds."""
