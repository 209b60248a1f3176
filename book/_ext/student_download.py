"""The student notebook in each chapter's download menu (after ".ipynb"),
and the zip of all of them.

``scripts/student.py`` (the last step of ``make book``) writes the chapter
without solutions and outputs to ``student/<page>.ipynb`` of the edition's
HTML folder, and every chapter to
``student/transformers-hands-on-student-<language>.zip``; the entries link
there, in the edition's language (``language`` of the configuration).
"""

from __future__ import annotations

ZIP_STEM = "transformers-hands-on-student"  # as in scripts/student.py
# the menu's notebook entry, after which the student entries go: the .ipynb
# of a MyST notebook, else the page's source (for a notebook: its .ipynb)
NOTEBOOK_ENTRIES = ("download-notebook-button", "download-source-button")

TEXT = {
    "en": {
        "notebook": "student notebook",
        "notebook_tip": "This chapter without solutions or outputs",
        "zip": "student notebooks (.zip)",
        "zip_tip": "Every chapter without solutions or outputs, in one zip",
    },
    "zh_CN": {
        "notebook": "学生版笔记本",
        "notebook_tip": "本章去掉解答和输出的版本，供课堂使用",
        "zip": "全部学生版笔记本（.zip）",
        "zip_tip": "所有章节去掉解答和输出的版本，打包为一个 zip",
    },
}


def add_student_entries(app, pagename, templatename, context, doctree) -> None:
    # only chapters (notebooks) have a student version; a page made from an
    # .ipynb offers it as its source file, one from a MyST notebook as ipynb
    source = context.get("sourcename", "")
    if not (context.get("ipynb_source") or source.endswith(".ipynb")):
        return
    menus = context.get("header_buttons", [])
    group = next(
        (b for b in menus if b.get("label") == "download-buttons"), None
    )
    if group is None:
        return
    language = app.config.language or "en"
    text = TEXT.get(language, TEXT["en"])
    student = context["pathto"]("student", 1)
    entries = [
        {
            "type": "link",
            "url": f"{student}/{pagename}.ipynb",
            "text": text["notebook"],
            "tooltip": text["notebook_tip"],
            "icon": "fas fa-graduation-cap",
            "label": "download-student-notebook-button",
        },
        {
            "type": "link",
            "url": f"{student}/{ZIP_STEM}-{language}.zip",
            "text": text["zip"],
            "tooltip": text["zip_tip"],
            "icon": "fas fa-file-archive",
            "label": "download-student-zip-button",
        },
    ]
    buttons = group["buttons"]
    labels = [b.get("label") for b in buttons]
    notebook = next(
        (label for label in NOTEBOOK_ENTRIES if label in labels), None
    )
    after = labels.index(notebook) + 1 if notebook else len(buttons)
    buttons[after:after] = entries


def setup(app):
    # after the theme's own header buttons (priority 501)
    app.connect("html-page-context", add_student_entries, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
