"""Figures in both editions: every picture is drawn once per language from the chapter's own data and glued into
the page, and the book shows the English drawing in its English edition and the Chinese one in the Chinese edition.

A drawing function takes a translator ``tr`` as its first argument and the chapter's data as keywords, and
returns a matplotlib figure::

    def draw_mask(tr, mask):
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.imshow(mask, cmap="Greys")
        ax.set_title(tr("Attention mask of {rows} rows", rows=len(mask)))
        return fig

    figures.show("ch04-mask", draw_mask, alt="The attention mask of the batch: {rows} rows", mask=mask, rows=2)

``tr("English text", **fields)`` returns the text in the drawing's language, with ``str.format`` fields filled
in. The Chinese labels live in one catalogue, ``locale/zh_CN/figures.po``: ``make locale`` adds every
``tr("...")`` of ``helpers/`` to it, and the drawing fails with the label named when one has no translation, so
a Chinese picture never shows an English label. Data (tokens, ids, sentences) is drawn as it is, untranslated.

Where the picture goes, a markdown cell says::

    ```{bookfig} ch04-mask
    :name: fig-ch04-mask

    The caption (translated with the page like any paragraph).
    ```

and the prose refers to it as ``{numref}`fig-ch04-mask```. The ``bookfig`` directive (``book/_ext/bookfig.py``)
picks the drawing of the edition's language and its alt text. ``book/figures.yml`` lists every figure with the
heading it belongs to.

Figures are SVG (lines and text stay sharp; text stays text) on a white card, which reads in the light and the
dark theme alike. A figure whose smallest text would render under 10 px in the book's 688 px column is refused.
In Jupyter the English drawing is also shown under the cell; while the book is executed (``HFBOOK_EXECUTING=1``)
it is only glued.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
"""

from __future__ import annotations

import io
import os
import warnings
from functools import cache
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("en", "zh_CN")
CATALOGUE = {"zh_CN": ROOT / "locale" / "zh_CN" / "figures.po"}
COLUMN_PX = 688  # the content column of a chapter page at 1280 px
MIN_TEXT_PX = 10.0
PX_PER_INCH = 96  # how a browser sizes an SVG measured in points (72 per inch)
CJK_FONT = "Noto Sans CJK SC"


class FigureError(ValueError):
    """A figure that can't be drawn as the book needs it (a missing translation, text too small, bad input).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """


class Labels:
    """The translator a drawing function receives: ``tr("text", **fields)`` in the drawing's language.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """

    def __init__(self, lang: str, table: dict[str, str] | None = None):
        if lang not in LANGUAGES:
            raise FigureError(f"no language {lang!r}: the book has {', '.join(LANGUAGES)}")
        self.lang = lang
        self.table = table or {}

    def __call__(self, text: str, **fields) -> str:
        if self.lang != "en":
            if text not in self.table:
                raise FigureError(
                    f"the figure label {text!r} has no {self.lang} translation in "
                    f"{CATALOGUE[self.lang].relative_to(ROOT)}: run `make locale`, then translate it there"
                )
            text = self.table[text]
        try:
            return text.format(**fields)
        except (KeyError, IndexError) as err:
            raise FigureError(f"the figure label {text!r} needs the field {err} (pass it to tr())") from None


def catalogue(lang: str) -> dict[str, str]:
    """The translated figure labels of ``lang`` (English → translation); empty when there is no catalogue.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    if lang == "en":
        return {}
    path = CATALOGUE.get(lang)
    if path is None:
        raise FigureError(f"no language {lang!r}: the book has {', '.join(LANGUAGES)}")
    if not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        po = read_po(f)
    return {m.id: m.string for m in po if m.id and m.string and not m.fuzzy}


def labels(lang: str) -> Labels:
    """The translator for drawings in ``lang`` ("en" or "zh_CN").

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    return Labels(lang, catalogue(lang))


@cache
def _cjk_font() -> str | None:
    """Register the Chinese font matplotlib measures Chinese text with (from the ``mplfonts`` package)."""
    try:
        import mplfonts
    except ImportError:
        return None
    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return CJK_FONT


def languages() -> tuple[str, ...]:
    """The languages this machine can draw: Chinese needs its catalogue and a Chinese font (``mplfonts``).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    chinese = CATALOGUE["zh_CN"].exists() and _cjk_font() is not None
    return LANGUAGES if chinese else ("en",)


def text_px(fig) -> float:
    """The height in pixels of the figure's smallest text once the book shows it in its column.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    from matplotlib.text import Text

    width_px = fig.get_figwidth() * PX_PER_INCH
    scale = min(1.0, COLUMN_PX / width_px)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    if not sizes:
        return float("inf")
    return min(sizes) * PX_PER_INCH / 72 * scale


def to_svg(fig, salt: str = "hfbook") -> str:
    """``fig`` as SVG text with its text kept as text, on white, the same bytes on every run; closes ``fig``.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    import matplotlib
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", facecolor="white", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def draw(draw_fn: Callable, lang: str, **data):
    """Call ``draw_fn(tr, **data)`` with the translator of ``lang`` and check that its text is big enough.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        fig = draw_fn(labels(lang), **data)
    if not isinstance(fig, matplotlib.figure.Figure):
        plt.close("all")
        raise FigureError(f"{getattr(draw_fn, '__name__', draw_fn)} returned {type(fig).__name__}, not a figure")
    if lang != "en":  # Chinese glyphs from the CJK font, the rest as in English (set on each text: kept at save)
        font = _cjk_font()
        if font is None:
            plt.close(fig)
            raise FigureError("drawing Chinese labels needs a Chinese font: pip install mplfonts==0.0.11")
        for text in fig.findobj(Text):
            mono = text.get_family()[0] == "monospace"
            text.set_family(["DejaVu Sans Mono" if mono else "DejaVu Sans", font])
    smallest = text_px(fig)
    if smallest < MIN_TEXT_PX - 1e-6:
        plt.close(fig)
        raise FigureError(
            f"{getattr(draw_fn, '__name__', draw_fn)}: its smallest text would be {smallest:.1f} px in the book's "
            f"{COLUMN_PX} px column (at least {MIN_TEXT_PX:.0f}): make the figure narrower or the text bigger"
        )
    return fig


def show(name: str, draw_fn: Callable, *, alt: str, alt_fields: dict | None = None, **data) -> dict[str, str]:
    """Draw ``draw_fn(tr, **data)`` in each language, glue each drawing as ``name`` (English) and
    ``name@zh_CN`` with its alt text (``alt`` translated like a label, then filled with ``alt_fields``), and show
    the English one under the cell in Jupyter. Returns the SVG text of each language.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Three main classes").
    """
    from IPython.display import SVG, display

    if not name or any(c.isspace() or c == "@" for c in name):
        raise FigureError(f"a figure name is one word without '@' (e.g. 'ch04-mask'), not {name!r}")
    if not alt or not alt.strip():
        raise FigureError(f"{name}: alt text is required (what the picture shows, for readers who can't see it)")
    svgs = {}
    for lang in languages():
        svg = to_svg(draw(draw_fn, lang, **data), salt=name)
        svgs[lang] = svg
        key = name if lang == "en" else f"{name}@{lang}"
        description = labels(lang)(alt, **(alt_fields or {}))
        display(
            {"application/papermill.record/image/svg+xml": svg},
            raw=True,
            metadata={
                "scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"},
                "hfbook": {"alt": description},
            },
        )
    if os.environ.get("HFBOOK_EXECUTING") != "1":
        display(SVG(svgs["en"]))
    return svgs
