"""Checking claimed derivatives and published iteration tables."""
