"""Figures of the book, drawn with matplotlib (one module per group of chapters)."""
from .conv import *  # noqa: F401,F403
from .channels import *  # noqa: F401,F403
