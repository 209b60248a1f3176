"""A language switcher on every page, landing on the same page in the other one.

The editions are built side by side (``_build/html/en/``, ``.../zh_CN/``;
see ``scripts/assemble_site.py``), so the same page of another edition is at
``../<edition>/<page>.html`` relative to the root of this one. The switcher is a
dropdown among the page's header buttons (next to "download"), and each page
names its translations with ``<link rel="alternate" hreflang=...>``.

Config values: ``hfbook_editions`` (a list of ``[language, folder, label]``)
and ``hfbook_search_bar_text`` (the search box's placeholder in the edition's
language; the book theme's default placeholder is an English config value).
"""

from __future__ import annotations

from pathlib import Path

EDITIONS = [["en", "en", "English"], ["zh_CN", "zh_CN", "中文"]]


def edition_url(pagename: str, folder: str) -> str:
    """The same page in the edition built into ``folder``, relative to here."""
    return "../" * (pagename.count("/") + 1) + f"{folder}/{pagename}.html"


def hreflang(language: str) -> str:
    return language.replace("_", "-")


def set_search_text(app, config) -> None:
    if config.hfbook_search_bar_text:
        text = config.hfbook_search_bar_text
        config.html_theme_options["search_bar_text"] = text


def add_switcher(app, pagename, templatename, context, doctree) -> None:
    editions = app.config.hfbook_editions
    current = app.config.language or "en"
    links = [
        {
            "type": "link",
            "url": edition_url(pagename, folder),
            "text": label + (" ✓" if language == current else ""),
            "tooltip": label,
            "icon": "fas fa-globe",
            "label": f"language-{hreflang(language)}",
        }
        for language, folder, label in editions
    ]
    if "header_buttons" in context:
        context["header_buttons"].append(
            {
                "type": "group",
                "tooltip": "Language / 语言",
                "icon": "fas fa-language",
                "buttons": links,
                "label": "language-switcher",
            }
        )
    alternates = "".join(
        f'<link rel="alternate" hreflang="{hreflang(language)}" '
        f'href="{edition_url(pagename, folder)}" />\n'
        for language, folder, _ in editions
    )
    context["metatags"] = context.get("metatags", "") + alternates


def add_static(app, config) -> None:
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.add_config_value("hfbook_editions", EDITIONS, "html")
    app.add_config_value("hfbook_search_bar_text", "", "html")
    app.connect("config-inited", set_search_text)
    app.connect("config-inited", add_static)
    app.add_js_file("language_switch.js")  # its links open in the same tab
    # after the theme's own header buttons (priority 501)
    app.connect("html-page-context", add_switcher, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
