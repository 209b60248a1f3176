"""A Sphinx extension for the book build: drop inline <script> blocks that
Sphinx 7.4 writes twice.

Sphinx 7.4 adds an inline script registered after the builder started
(``app.add_js_file(None, body=...)``, as sphinx-thebe and sphinx-togglebutton
do) once as filename ``None`` and once as ``''``, so every page carried
``const THEBE_JS_URL = ...`` twice and the browser reported "Identifier
'THEBE_JS_URL' has already been declared". This keeps the first copy of each
script. Loaded through ``sphinx.local_extensions`` in ``_config.yml``; the
browser check (``tests/book_html``) fails if any console error comes back.
"""

from __future__ import annotations


def _key(js):
    attributes = getattr(js, "attributes", {})
    return (
        getattr(js, "filename", None) or "",
        getattr(js, "priority", 500),
        tuple(sorted(attributes.items())),
    )


def dedupe_scripts(app, pagename, templatename, context, doctree):
    files = context.get("script_files")
    if not files:
        return
    seen, keep = set(), []
    for js in files:
        key = _key(js)
        if key not in seen:
            seen.add(key)
            keep.append(js)
    files[:] = keep


def setup(app):
    app.connect(
        "html-page-context", dedupe_scripts, priority=900
    )  # after the extensions that add page scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
