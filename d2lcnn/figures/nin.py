"""Figures of the nin chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang)."""

__all__ = []
