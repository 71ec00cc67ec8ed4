"""Data objectives: datasets and readers, losses, sufficient statistics, networks."""
