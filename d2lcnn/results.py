"""Stored training results (benchmarks/results/*.json) and the chapters' "notes vs. this book" box.

STUB: the reproduce-runner work (issue 12) replaces this with the real reader of
benchmarks/results. The signature is fixed: chapters call ``results_box(name)``.
"""
__all__ = ["results_box"]


def results_box(name):
    """Show the notes' result for recipe ``name`` beside the stored runs of this book (mean, range, device)."""
    from .recipes import recipe
    r = recipe(name)
    print(f"{r.title}: notes test acc {r.notes_test_acc:.3f}; no stored runs yet")
