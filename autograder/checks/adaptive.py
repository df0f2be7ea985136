"""Checks of part adaptive (to be written)."""
