"""helpers.hub_cache: a hub cache folder read into data, and drawn from that data in both languages."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from helpers import figures, hub_cache  # noqa: E402

COMMIT = "9ab99926a2bf" + "0" * 28


def fake_cache(root, files=("config.json", "model.safetensors"), extra_ref=None):
    """A repository folder laid out as huggingface_hub writes it: blobs, a snapshot of links, refs/main."""
    repo = root / "models--hfbook--minilm"
    (repo / "blobs").mkdir(parents=True)
    (repo / "refs").mkdir()
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    for i, name in enumerate(files):
        blob = f"{i:02d}" + "ab" * 19
        (repo / "blobs" / blob).write_bytes(b"x" * (100 * (i + 1)))
        os.symlink(f"../../blobs/{blob}", snapshot / name)
    (repo / "refs" / "main").write_text(COMMIT)
    if extra_ref:
        (repo / "refs" / extra_ref).write_text(COMMIT)
    return repo


def test_the_layout_is_what_the_folder_holds(tmp_path):
    layout = hub_cache.cache_layout(fake_cache(tmp_path))
    assert layout["repo"] == "models--hfbook--minilm"
    assert layout["refs"] == {"main": COMMIT}
    assert layout["snapshots"] == {COMMIT: [("config.json", "00" + "ab" * 19), ("model.safetensors", "01" + "ab" * 19)]}
    assert layout["blobs"] == {"00" + "ab" * 19: 100, "01" + "ab" * 19: 200}


def test_a_folder_that_is_not_a_cache_repository_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a repository folder of the hub cache.*refs, snapshots, blobs"):
        hub_cache.cache_layout(tmp_path)


def test_the_drawing_follows_the_folder(tmp_path):
    one = hub_cache.cache_layout(fake_cache(tmp_path / "a"))
    two = hub_cache.cache_layout(
        fake_cache(tmp_path / "b", files=("config.json", "vocab.txt", "tokenizer.json"), extra_ref="v1")
    )
    svg_one = figures.to_svg(figures.draw(hub_cache.draw_hub_cache, "en", layout=one))
    svg_two = figures.to_svg(figures.draw(hub_cache.draw_hub_cache, "en", layout=two))
    assert "model.safetensors" in svg_one and "model.safetensors" not in svg_two
    assert "vocab.txt" in svg_two and "v1: 9ab99926…" in svg_two and "v1:" not in svg_one
    assert "main: 9ab99926…" in svg_one and "200 B" in svg_one


def test_an_empty_cache_folder_is_refused_with_a_reason():
    layout = {"repo": "models--x--y", "refs": {}, "snapshots": {}, "blobs": {}}
    with pytest.raises(ValueError, match="no snapshot yet"):
        hub_cache.draw_hub_cache(figures.Labels("en"), layout)
    with pytest.raises(ValueError, match="no 'blobs'"):
        hub_cache.draw_hub_cache(figures.Labels("en"), {"repo": "r", "refs": {}, "snapshots": {}})


def test_the_chinese_drawing_has_the_chinese_labels(tmp_path):
    if "zh_CN" not in figures.languages():
        pytest.skip("no Chinese font on this machine")
    layout = hub_cache.cache_layout(fake_cache(tmp_path))
    svg = figures.to_svg(figures.draw(hub_cache.draw_hub_cache, "zh_CN", layout=layout))
    assert "文件内容，以哈希命名" in svg and "contents, named by hash" not in svg
    assert "config.json" in svg  # data is drawn as it is
