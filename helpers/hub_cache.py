"""The hub cache on disk: one repository's folder (``refs/``, ``snapshots/``, ``blobs/``) read into plain data,
and drawn as the three parts with the links between them.

``cache_layout(folder)`` walks a ``models--{org}--{name}`` folder of a hub cache (for example the fresh cache a
chapter downloads into) and returns what is there; ``draw_hub_cache(tr, layout)`` draws exactly that, so the
picture cannot drift from the folder.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Downloading into a fresh cache").
"""

from __future__ import annotations

import os
from pathlib import Path

from .boxes import arrow, box, canvas


def cache_layout(repo: str | Path) -> dict:
    """The parts of one repository folder of the hub cache: ``{"repo": folder name, "refs": {ref: commit},
    "snapshots": {commit: [(file, blob it links to)]}, "blobs": {blob: size in bytes}}``.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Downloading into a fresh cache").
    """
    repo = Path(repo)
    missing = [part for part in ("refs", "snapshots", "blobs") if not (repo / part).is_dir()]
    if missing:
        raise ValueError(
            f"{repo.name} is not a repository folder of the hub cache (no {', '.join(missing)}/): pass the "
            "models--{org}--{name} folder inside the cache"
        )
    refs = {
        p.relative_to(repo / "refs").as_posix(): p.read_text().strip()
        for p in sorted((repo / "refs").rglob("*"))
        if p.is_file()
    }
    snapshots = {}
    for snapshot in sorted(p for p in (repo / "snapshots").iterdir() if p.is_dir()):
        files = []
        for path in sorted(snapshot.rglob("*")):
            if path.is_symlink():
                files.append((path.relative_to(snapshot).as_posix(), Path(os.readlink(path)).name))
            elif path.is_file():
                files.append((path.relative_to(snapshot).as_posix(), None))
        snapshots[snapshot.name] = files
    blobs = {p.name: p.stat().st_size for p in sorted((repo / "blobs").iterdir()) if p.is_file()}
    return {"repo": repo.name, "refs": refs, "snapshots": snapshots, "blobs": blobs}


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def draw_hub_cache(tr, layout: dict, digits: int = 8):
    """The repository folder of ``layout`` (from :func:`cache_layout`): each ref pointing at its snapshot, each
    file of a snapshot linking to its blob (hashes cut to ``digits`` characters), and the way an offline
    ``from_pretrained(name)`` reads it.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Downloading into a fresh cache").
    """
    for key in ("repo", "refs", "snapshots", "blobs"):
        if key not in layout:
            raise ValueError(f"the layout has no {key!r}: make it with cache_layout(folder)")
    if not layout["snapshots"]:
        raise ValueError(f"{layout['repo']} has no snapshot yet: draw it after a download")

    def cut(name: str) -> str:
        return name[:digits] + "…" if len(name) > digits + 1 else name

    rows = sum(1 + len(files) for files in layout["snapshots"].values())
    row = 0.62
    height = 2.5 + rows * row
    fig, ax = canvas(10, height)
    top = height - 0.35
    ax.text(5, top, f"{layout['repo']}/", ha="center", va="center", fontsize=11, weight="bold", family="monospace")
    columns = [(0.1, 2.3, "refs/"), (2.9, 3.5, "snapshots/"), (7.0, 2.9, "blobs/")]
    for x, w, name in columns:
        ax.text(x + w / 2, top - 0.55, name, ha="center", va="center", fontsize=10, weight="bold", family="monospace")
    ax.text(0.1 + 2.3 / 2, top - 0.9, tr("branch, tag → commit"), ha="center", va="center", fontsize=9.5)
    ax.text(2.9 + 3.5 / 2, top - 0.9, tr("a folder per commit, links"), ha="center", va="center", fontsize=9.5)
    ax.text(7.0 + 2.9 / 2, top - 0.9, tr("contents, named by hash"), ha="center", va="center", fontsize=9.5)

    y = top - 1.45
    blob_y: dict[str, float] = {}
    link_rows = []
    snapshot_y = {}
    for commit, files in layout["snapshots"].items():
        box(ax, 2.9, y - 0.22, 3.5, 0.44, f"{cut(commit)}/", color="orange", family="monospace")
        snapshot_y[commit] = y
        y -= row
        for name, blob in files:
            box(ax, 3.2, y - 0.2, 3.2, 0.4, name, color="green", family="monospace", size=9.5)
            if blob is not None:
                link_rows.append((y, blob))
                blob_y.setdefault(blob, y)
            y -= row
    for blob, by in blob_y.items():  # each blob beside the first file that links to it
        size = layout["blobs"].get(blob)
        label = f"{cut(blob)}  {_size(size)}" if size is not None else f"{cut(blob)}  ({tr('missing')})"
        box(ax, 7.0, by - 0.2, 2.9, 0.4, label, color="blue", family="monospace", size=9.5)
    for ly, blob in link_rows:
        arrow(ax, (6.4, ly), (7.0, blob_y[blob]), color="green")
    for i, (ref, commit) in enumerate(layout["refs"].items()):
        ry = top - 1.45 - i * row
        box(ax, 0.1, ry - 0.22, 2.3, 0.44, f"{ref}: {cut(commit)}", color="purple", family="monospace", size=9.5)
        target = snapshot_y.get(commit)
        if target is not None:
            arrow(ax, (2.4, ry), (2.9, target), color="purple")
    box(
        ax,
        0.1,
        0.15,
        9.8,
        0.5,
        tr("offline, from_pretrained(name) reads refs/main → snapshots/<commit>/ → blobs/"),
        color="grey",
    )
    return fig
