"""Measures of the support operation, computed in SQL."""
