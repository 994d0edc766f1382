"""Sphinx extension: the glossary's rows are link targets for Markdown links.

A glossary row starts with a raw-HTML anchor, ``<span id="glossary-pooling"></span>``, because
a table row cannot carry a MyST target. Chapters link a term with a plain Markdown link,
``[pooling](glossary.ipynb#glossary-pooling)``, which Jupyter follows as it is. MyST resolves
``doc#id`` only against the ids it collected from that document's headings, so it would warn
about every row; this extension adds each row's id to them. A link to a row the glossary does
not have still warns, and the ``-W`` build fails on it.
"""
import re

from docutils import nodes

ROW_ID = re.compile(r'<span id="(glossary-[a-z0-9-]+)">')


def register_row_ids(app, doctree):
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for raw in doctree.findall(nodes.raw):
        for row_id in ROW_ID.findall(raw.astext()):
            # (heading level, target id, text for a link without text), as MyST stores headings.
            slugs.setdefault(row_id, (0, row_id, row_id.removeprefix("glossary-")))


def setup(app):
    app.connect("doctree-read", register_row_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
