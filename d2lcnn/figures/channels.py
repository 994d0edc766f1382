"""Figures for chapters 4-5: channels and pooling."""
__all__ = []
