"""Figures for chapters 1-3: cross-correlation, padding, stride."""
__all__ = []
