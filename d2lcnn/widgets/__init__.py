"""Interactive window steppers (filled in by the widgets work)."""
__all__ = []
