"""Checks of part backprop (to be written)."""
