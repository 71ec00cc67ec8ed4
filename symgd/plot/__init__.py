"""Figures: loss curves, contours, surfaces, slices and fits."""
