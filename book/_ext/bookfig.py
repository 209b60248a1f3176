"""The ``bookfig`` directive: a figure a notebook drew in each language.

```{bookfig} ch04-mask
:name: fig-ch04-mask

Caption.
```

is myst-nb's ``glue:figure`` of the glue key ``ch04-mask`` in the English
edition and of ``ch04-mask@zh_CN`` in the Chinese one (``helpers.figures.show``
glues both), with the alt text glued with that drawing. A drawing missing for
the edition's language, or one without alt text, is a build warning (the
strict build fails).
"""

from __future__ import annotations

from myst_nb.core.variables import RetrievalError
from myst_nb.ext.glue import directives as glue_directives
from myst_nb.ext.glue.utils import glue_warning, retrieve_glue_data


class BookFigure(glue_directives.PasteFigureDirective):
    def run(self):
        key = self.arguments[0]
        env = self.state.document.settings.env
        lang = getattr(env.config, "language", None) or "en"
        if lang != "en":
            key = f"{key}@{lang}"
        try:
            data = retrieve_glue_data(self.document, key)
        except RetrievalError as exc:
            if (
                env.app.builder.name == "gettext"
            ):  # extracting messages: the notebooks ran not, the caption counts
                return [self.caption_only()]
            return [
                glue_warning(
                    f"bookfig: {exc} (drawn by helpers.figures.show?)",
                    self.document,
                    self.line,
                )
            ]
        alt = (data.metadata or {}).get("hfbook", {}).get("alt", "")
        if not alt.strip():
            return [
                glue_warning(
                    f"bookfig {key!r}: no alt text glued with the drawing",
                    self.document,
                    self.line,
                )
            ]
        self.arguments = [key]
        self.options.setdefault("alt", alt)
        self.options["class"] = " ".join(
            filter(None, [self.options.get("class"), "bookfig"])
        )
        return super().run()

    def caption_only(self):
        """The figure without its image, for the catalogues: its caption."""
        from docutils import nodes

        figure = nodes.figure()
        self.set_source_info(figure)
        self.add_name(figure)
        holder = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, holder)
        if holder.children and isinstance(holder[0], nodes.paragraph):
            first = holder[0]
            caption = nodes.caption(first.rawsource, "", *first.children)
            caption.source, caption.line = first.source, first.line
            figure += caption
        return figure


def setup(app):
    app.add_directive("bookfig", BookFigure)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
