"""Checks of part momentum (to be written)."""
