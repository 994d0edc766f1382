"""Figures of the googlenet chapter, drawn with matplotlib in the reader's language (see d2lcnn.lang)."""

__all__ = []
