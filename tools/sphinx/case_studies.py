"""Sphinx extension: a chapter's case studies are collapsed on the website, open in the notebook.

A case study is a section whose first paragraph, right under its heading, is an emphasised
marker that starts with "Case study" (English) or "案例研究" (Chinese):

    ## When NiN Learns Nothing

    *Case study: a diagnosis in full, ... The main line continues with the Summary.*

In Jupyter and Colab the section reads as it is. On the website the heading stays visible (and
in the page's table of contents), and the rest of the section, its subsections included, goes into
``<details class="d2lcnn-case-study">`` whose ``<summary>`` is the marker's text: a reader opens it
with a click or the keyboard, and the browser opens it by itself for a link to an anchor inside
or a find-in-page hit. The printed editions open every ``<details>`` (tools/print_book.py), so a
case study prints in full. The marker must be plain text (no links): it becomes the ``<summary>``,
which is itself the control.
"""
import re

from docutils import nodes

MARK = re.compile(r"^\s*(Case study|案例研究)")
CLASS = "d2lcnn-case-study"


def marker(section):
    """The section's case-study marker paragraph, or None."""
    if len(section) < 2 or not isinstance(section[0], nodes.title):
        return None
    first = section[1]
    if (isinstance(first, nodes.paragraph) and len(first) and isinstance(first[0], nodes.emphasis)
            and MARK.match(first[0].astext())):
        return first
    return None


def collapse_case_studies(doctree):
    """Wrap every case-study section's body in <details>, its marker as the <summary>; return how many."""
    count = 0
    for section in list(doctree.findall(nodes.section)):
        para = marker(section)
        if para is None:
            continue
        if any(isinstance(n, nodes.reference) or n.get("refuri") or n.get("refid") or n.get("reftarget")
               for n in para.findall(nodes.Element)):
            raise ValueError(f"the case-study marker {para.astext()[:60]!r} holds a link; "
                             "the marker becomes the <summary> control and must be plain text")
        label = nodes.inline("", "", *para.children, classes=[f"{CLASS}-label"])
        section.remove(para)
        section.insert(1, nodes.raw("", f'<details class="{CLASS}">\n<summary>', format="html"))
        section.insert(2, label)
        section.insert(3, nodes.raw("", "</summary>\n", format="html"))
        section.append(nodes.raw("", "</details>\n", format="html"))
        count += 1
    return count


def on_doctree_resolved(app, doctree, docname):
    # After the table of contents was collected (it reads each section's first child as its title).
    if app.builder.format == "html":
        collapse_case_studies(doctree)


def setup(app):
    app.connect("doctree-resolved", on_doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
