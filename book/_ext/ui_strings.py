"""The words of the page around the book (the theme's and extensions' buttons,
tooltips and hints) in the edition's language.

Sphinx, the book theme and PyData theme have Chinese catalogues, but some
strings are missing from them ("Link to this heading", "Toggle primary
sidebar"), one is Taiwanese usage ("列印成 PDF" for "Print to PDF"), and
some are not translatable at all: myst-nb writes "Show code cell content" and
``aria-label="Toggle hidden content"`` into the page, sphinx-togglebutton's
script
writes the same label. The config value ``hfbook_ui_strings`` (English →
translation; the Chinese edition's in ``locale/zh_CN/config.yml``) is applied
at three levels:

1. every message catalogue Sphinx has loaded (its own, the themes', the
   extensions'): the translation takes precedence over the catalogue's own, so
   the templates and the themes' Python code print it;
2. the rendered body of every page: an attribute value or element text that is
   exactly an English string (what myst-nb writes without a catalogue);
3. in the browser, ``ui_strings.js`` replaces the same attribute values and
   texts in what other scripts add (sphinx-togglebutton's buttons) once the
   page has loaded.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from sphinx import locale


def override_catalogues(app) -> None:
    strings = app.config.hfbook_ui_strings
    if not strings:
        return
    for translator in list(locale.translators.values()):
        while translator is not None:
            catalog = getattr(translator, "_catalog", None)
            if isinstance(catalog, dict):
                catalog.update(strings)
            translator = getattr(translator, "_fallback", None)
    app.add_js_file(
        None,
        body="window.hfbookUiStrings = "
        + json.dumps(strings, ensure_ascii=False)
        + ";",
    )
    app.add_js_file("ui_strings.js")


def translate_html(text: str, strings: dict[str, str]) -> str:
    """``text`` (HTML) with every attribute value and element text that is
    exactly an English string translated."""
    for english, translated in sorted(
        strings.items(), key=lambda item: -len(item[0])
    ):
        source, target = html.escape(english), html.escape(translated)
        text = text.replace(f'="{source}"', f'="{target}"').replace(
            f">{source}<", f">{target}<"
        )
        text = text.replace(f">{source}\n<", f">{target}\n<")
    return text


def translate_body(app, pagename, templatename, context, doctree) -> None:
    strings = app.config.hfbook_ui_strings
    if strings and isinstance(context.get("body"), str):
        context["body"] = translate_html(context["body"], strings)


def add_static(app, config) -> None:
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.add_config_value("hfbook_ui_strings", {}, "html")
    app.connect("config-inited", add_static)
    app.connect("builder-inited", override_catalogues)
    app.connect("html-page-context", translate_body)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
