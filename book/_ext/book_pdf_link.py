"""The whole book as a PDF in every page's download menu.

``make pdf`` (``scripts/book_pdf.py``) prints each edition to
``<edition>/_downloads/<hfbook_pdf>``; this entry links to it, after the
theme's ".pdf" entry (which prints the one page). Config value: ``hfbook_pdf``
(the file name; the Chinese edition's in ``locale/zh_CN/config.yml``) and
``hfbook_pdf_text`` (the entry's words).
"""

from __future__ import annotations


def pdf_url(pagename: str, name: str) -> str:
    """The edition's PDF, relative to the page ``pagename``."""
    return "../" * pagename.count("/") + f"_downloads/{name}"


def add_entry(app, pagename, templatename, context, doctree) -> None:
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": pdf_url(pagename, app.config.hfbook_pdf),
                    "text": app.config.hfbook_pdf_text,
                    "tooltip": app.config.hfbook_pdf_text,
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app):
    app.add_config_value("hfbook_pdf", "transformers-hands-on.pdf", "html")
    app.add_config_value("hfbook_pdf_text", "The whole book (PDF)", "html")
    # after the theme's own header buttons (priority 501)
    app.connect("html-page-context", add_entry, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
