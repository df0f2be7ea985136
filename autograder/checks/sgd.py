"""Checks of part sgd (to be written)."""
