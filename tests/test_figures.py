"""helpers.figures: a drawing per language, labels from the catalogue, text big enough, SVG the same every run."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import boxes, concepts, figures  # noqa: E402


def small_plot(tr, size=10, width=6.0, title="Loss"):
    fig, ax = plt.subplots(figsize=(width, 2))
    ax.plot([0, 1], [1, 0])
    ax.set_title(tr(title), fontsize=size)
    ax.tick_params(labelsize=size)
    return fig


def test_english_labels_are_the_text_itself_with_fields_filled():
    tr = figures.Labels("en")
    assert tr("Padded to {n} tokens", n=9) == "Padded to 9 tokens"
    assert tr("Loss") == "Loss"


def test_chinese_labels_come_from_the_table_and_a_missing_one_is_named():
    tr = figures.Labels("zh_CN", {"Padded to {n} tokens": "填充到 {n} 个词元"})
    assert tr("Padded to {n} tokens", n=9) == "填充到 9 个词元"
    with pytest.raises(figures.FigureError, match="'Loss' has no zh_CN translation.*make locale"):
        tr("Loss")
    with pytest.raises(figures.FigureError, match="needs the field"):
        tr("Padded to {n} tokens")


def test_unknown_language_is_refused():
    with pytest.raises(figures.FigureError, match="no language 'fr'"):
        figures.labels("fr")


def test_the_book_catalogue_translates_the_main_classes_labels():
    table = figures.catalogue("zh_CN")
    assert table["Tokenizer"] == "分词器"
    assert figures.catalogue("en") == {}


def test_text_size_is_measured_in_the_books_column():
    fig = small_plot(figures.Labels("en"), size=9, width=6.0)  # 6 in = 576 px: no scaling; 9 pt = 12 px
    assert figures.text_px(fig) == pytest.approx(12.0)
    plt.close(fig)
    fig = small_plot(figures.Labels("en"), size=9, width=14.33)  # 1376 px shown at 688: half size
    assert figures.text_px(fig) == pytest.approx(6.0, abs=0.01)
    plt.close(fig)


def test_a_figure_with_text_too_small_is_refused():
    with pytest.raises(figures.FigureError, match=r"smallest text would be 6\.0 px"):
        figures.draw(small_plot, "en", size=9, width=14.33)


def test_a_drawing_that_returns_no_figure_is_refused():
    with pytest.raises(figures.FigureError, match="returned NoneType, not a figure"):
        figures.draw(lambda tr: None, "en")


def test_svg_is_the_same_on_every_run_and_keeps_its_text():
    one = figures.to_svg(figures.draw(small_plot, "en", title="Loss"), salt="t")
    two = figures.to_svg(figures.draw(small_plot, "en", title="Loss"), salt="t")
    assert one == two
    assert ">Loss<" in one  # text kept as text (searchable, crisp), not paths


def test_the_chinese_drawing_has_chinese_labels_and_a_cjk_font():
    svg = figures.to_svg(figures.draw(concepts.draw_main_classes, "zh_CN"))
    assert ">分词器<" in svg and ">Tokenizer<" not in svg
    assert "Noto Sans CJK SC" in svg


def test_show_glues_one_drawing_per_language_with_its_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append((a, k)))
    monkeypatch.setenv("HFBOOK_EXECUTING", "1")
    svgs = figures.show(
        "t-main",
        concepts.draw_main_classes,
        alt="Configuration, model and tokenizer loaded from one checkpoint folder; pipeline and Trainer above them",
    )
    assert set(svgs) == {"en", "zh_CN"}
    keys = [k["metadata"]["scrapbook"]["name"] for _, k in shown]
    assert keys == ["t-main", "t-main@zh_CN"]
    alts = [k["metadata"]["hfbook"]["alt"] for _, k in shown]
    assert alts[0].startswith("Configuration") and "分词器" in alts[1]


def test_show_refuses_a_figure_without_alt_text_or_with_a_bad_name():
    with pytest.raises(figures.FigureError, match="alt text is required"):
        figures.show("x", concepts.draw_main_classes, alt=" ")
    with pytest.raises(figures.FigureError, match="one word"):
        figures.show("two words", concepts.draw_main_classes, alt="x")


def test_the_main_classes_drawing_follows_its_data():
    a = figures.to_svg(figures.draw(concepts.draw_main_classes, "en", checkpoint="bert-base-cased"))
    b = figures.to_svg(figures.draw(concepts.draw_main_classes, "en", checkpoint="gpt2"))
    assert "bert-base-cased" in a and "gpt2" in b and "bert-base-cased" not in b


def test_boxes_refuse_unknown_colours_and_empty_canvases():
    fig, ax = boxes.canvas(4, 2)
    with pytest.raises(ValueError, match="no colour 'pink'"):
        boxes.box(ax, 0, 0, 1, 1, "x", color="pink")
    with pytest.raises(ValueError, match="no colour 'pink'"):
        boxes.arrow(ax, (0, 0), (1, 1), color="pink")
    plt.close(fig)
    with pytest.raises(ValueError, match="positive width"):
        boxes.canvas(0, 2)


def test_a_box_is_drawn_where_asked_in_its_colour():
    fig, ax = boxes.canvas(4, 2)
    patch = boxes.box(ax, 1, 0.5, 2, 1, "Model", color="blue")
    x0, y0, w, h = patch.get_bbox().bounds
    assert (x0, y0, w, h) == (1, 0.5, 2, 1)
    assert matplotlib.colors.to_hex(patch.get_edgecolor()) == boxes.PALETTE["blue"][0].lower()
    assert [t.get_text() for t in ax.texts] == ["Model"]
    plt.close(fig)
