"""The zoo as hub repositories: every entry exported as a git repository under one organisation, with a model card.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
Command line: ``python -m helpers.zoo export-repos DIR [NAME ...]``.

Each entry becomes the repository a maintainer would push to the Hugging Face hub: ``DIR/models/hfbook/<name>``
(``DIR/datasets/hfbook/sentences`` for the sentence data), on branch ``main`` with one commit and the tag ``v1``.
The commit is deterministic (fixed author, committer and dates), so the same zoo content always gives the same
commit hash. ``README.md`` is a model card in the hub's format: YAML front matter (licence, language, library,
pipeline tag, ``model-index`` with the zoo's held-out scores; for the data a ``configs`` block that
``datasets.load_dataset`` reads) and the entry's provenance from the zoo manifest.

Large files go through git-lfs the way the hub stores them, written without the ``git-lfs`` program (which needs
root to install on Debian): the commit holds a small pointer file (``oid sha256:...``, ``size ...``) and the
content sits in ``.git/lfs/objects/<aa>/<bb>/<sha256>``, hard-linked from the zoo (copied across file systems;
git-lfs never writes to an object), so an export costs no extra disk and no hashing (the zoo manifest already has
every sha256). A self-hosted
mirror (``olah``, :mod:`helpers.local_hub`) serves those objects, and ``git lfs push`` could upload them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .zoo import REGISTRY, ZooError, check_unchanged, entry_dir, read_manifest

ORG = "hfbook"
TAG = "v1"
EXPORT_HINT = "python -m helpers.zoo export-repos {dest}"
# Fixed identity and dates: the same zoo content gives the same commit hash on every machine.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "hfbook zoo",
    "GIT_AUTHOR_EMAIL": "zoo@hfbook.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "hfbook zoo",
    "GIT_COMMITTER_EMAIL": "zoo@hfbook.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
# Stored through LFS, as the hub's default .gitattributes does: weights and any file of 10 MiB or more.
LFS_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".h5", ".onnx", ".msgpack", ".model")
LFS_MIN_BYTES = 10 * 1024 * 1024
# What each entry is on the hub: pipeline tag and languages (entries missing here: no pipeline tag, English).
PIPELINE_TAGS = {
    "minilm": "feature-extraction",
    "sentiment": "text-classification",
    "ner": "token-classification",
    "qa": "question-answering",
    "fill-mask": "fill-mask",
    "smollm2": "text-generation",
    "instruct": "text-generation",
}
LANGUAGES = {
    "bert-base-chinese-tokenizer": ["zh"],
    "bert-multilingual-cased-tokenizer": ["multilingual"],
    "instruct": ["en", "zh", "de"],  # its held-out scores: translation into Chinese and German
}
# The held-out data each model's scores come from (the others: test splits of the sentence data).
SCORE_DATA = {"instruct": {"name": "the book's evaluation stories and sentences (helpers/evalsets)", "type": "other"}}
SKIPPED_KINDS = ("eval",)  # scores only (smollm2-perplexity): they appear on the card of the model they score
LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"


class HubRepoError(ZooError):
    """An exported repository is missing or incomplete; the message says which command repairs it.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """


@dataclass(frozen=True)
class ExportedRepo:
    """One exported repository: its hub id, type (``model``/``dataset``), folder, commit hash and tag.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """

    name: str
    repo_id: str
    repo_type: str
    path: Path
    commit: str
    tag: str = TAG


def exportable() -> list[str]:
    """The zoo entries that become repositories (every registered entry but score-only ones).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    return [name for name, entry in REGISTRY.items() if entry.kind not in SKIPPED_KINDS]


def repo_id(name: str, org: str = ORG) -> str:
    """The hub id of zoo entry ``name``: ``hfbook/<name>``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    return f"{org}/{name}"


def repo_type(name: str) -> str:
    """``"dataset"`` for the data entries, ``"model"`` for the rest.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    return "dataset" if REGISTRY[name].kind == "data" else "model"


def repo_dir(dest: str | Path, name: str, org: str = ORG) -> Path:
    """Where entry ``name``'s repository lives under ``dest``: ``models/<org>/<name>`` or ``datasets/...``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    return Path(dest) / f"{repo_type(name)}s" / org / name


def _licence_id(licence: str) -> str:
    text = licence.lower()
    return "apache-2.0" if text.startswith("apache-2.0") else "mit" if text.startswith("mit") else "other"


def _yaml(value, indent: int = 0) -> str:
    """A small YAML writer for the card's front matter (JSON scalars are valid YAML)."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:\n{_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{key}: {json.dumps(item, ensure_ascii=False)}")
        return "\n".join(lines)
    lines = []
    for item in value:
        if isinstance(item, dict):
            body = _yaml(item, indent + 2)
            lines.append(f"{pad}- {body.lstrip()}")
        else:
            lines.append(f"{pad}- {json.dumps(item, ensure_ascii=False)}")
    return "\n".join(lines)


def _numeric_scores(info: dict) -> dict[str, float]:
    scores = info.get("scores") or {}
    return {k: v for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def card_metadata(name: str, info: dict) -> dict:
    """The YAML front matter of entry ``name``'s card, from its registry entry and manifest record ``info``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    entry = REGISTRY[name]
    meta: dict = {"license": _licence_id(entry.licence)}
    if meta["license"] == "other":
        meta["license_name"] = "see-card"
    meta["language"] = LANGUAGES.get(name, ["en"])
    if entry.kind == "data":
        sets = sorted(info.get("counts") or {})
        meta["task_categories"] = ["text-classification"]
        meta["pretty_name"] = entry.title
        meta["configs"] = [
            {
                "config_name": s,
                "data_files": [
                    {"split": split, "path": f"{s}_{split}.csv"} for split in ("train", "validation", "test")
                ],
                **({"default": True} if s == "movie" else {}),
            }
            for s in sets
        ]
        return meta
    meta["library_name"] = "transformers"
    if name in PIPELINE_TAGS:
        meta["pipeline_tag"] = PIPELINE_TAGS[name]
    meta["tags"] = ["hfbook", "offline-zoo"]
    base = (info.get("base") or {}).get("hub_id")
    if base:
        meta["base_model"] = base
    scores = _numeric_scores(info)
    if scores:
        meta["model-index"] = [
            {
                "name": repo_id(name),
                "results": [
                    {
                        "task": {"type": PIPELINE_TAGS.get(name, "other")},
                        "dataset": SCORE_DATA.get(
                            name, {"name": "held-out test split (see the card)", "type": repo_id("sentences")}
                        ),
                        "metrics": [{"type": k, "value": v} for k, v in scores.items()],
                    }
                ],
            }
        ]
    return meta


def model_card(name: str, info: dict) -> str:
    """The whole ``README.md`` of entry ``name``: front matter, then its provenance from the zoo manifest.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    entry = REGISTRY[name]
    lines = ["---", _yaml(card_metadata(name, info)), "---", "", f"# {repo_id(name)}", "", f"{entry.title}.", ""]
    lines += [
        "Exported from the offline checkpoint zoo of the book *Hugging Face Transformers, hands-on* "
        f"(`python -m helpers.zoo export-repos`). Licence: {entry.licence}.",
        "",
    ]
    if info.get("hub_id"):
        lines += [f"The same model as (or converted from) `{info['hub_id']}` on the Hugging Face hub.", ""]
    if entry.stands_in_for:
        lines += [f"In the book it stands in for `{entry.stands_in_for}` (a different model).", ""]
    lines += ["## Provenance", ""]
    for source in info.get("sources", []):
        member = f", member `{source['member']}`" if source.get("member") else ""
        lines.append(f"- from `{source['package']}=={source['version']}` (`{source['file']}`{member})")
    for key in ("converted", "provenance_check", "check", "params", "citation"):
        if info.get(key):
            lines.append(f"- {key.replace('_', ' ')}: {info[key]}")
    if info.get("base"):
        lines.append(f"- trained from `{info['base']['hub_id']}` (zoo entry `{info['base']['zoo_entry']}`)")
    if info.get("data"):
        lines.append(f"- data: `{json.dumps(info['data'], ensure_ascii=False, sort_keys=True)}`")
    if info.get("recipe"):
        lines.append(f"- recipe: `{json.dumps(info['recipe'], ensure_ascii=False, sort_keys=True)}`")
    scores = info.get("scores") or {}
    if scores:
        lines += ["", "## Held-out scores", ""]
        lines += [f"- {k}: {v}" for k, v in scores.items()]
    lines += ["", "## Files (sha256)", ""]
    lines += [f"- `{rel}`: `{digest}`" for rel, digest in sorted(info["files"].items())]
    return "\n".join(lines) + "\n"


def _is_lfs(path: Path) -> bool:
    return path.suffix in LFS_SUFFIXES or path.stat().st_size >= LFS_MIN_BYTES


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        dst.unlink()
    try:
        os.link(src, dst)
    except OSError:  # another file system: copy
        shutil.copyfile(src, dst)


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise HubRepoError(f"`git {' '.join(args)}` failed in {repo}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def export_entry(name: str, dest: str | Path, org: str = ORG, manifest: dict | None = None) -> ExportedRepo:
    """Write zoo entry ``name`` as a git repository under ``dest`` (replacing an older export) and return it.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Exercises").
    """
    if shutil.which("git") is None:
        raise HubRepoError("exporting the zoo needs the `git` program; install it (e.g. `apt-get install git`)")
    manifest = read_manifest() if manifest is None else manifest
    if name not in REGISTRY or REGISTRY[name].kind in SKIPPED_KINDS:
        raise HubRepoError(f"{name!r} is not an exportable zoo entry; known: {', '.join(exportable())}")
    check_unchanged(name, manifest)  # raises with the build command when it is missing or damaged
    info = manifest[name]
    source = entry_dir(name)
    files = {rel: (source / rel, digest) for rel, digest in info["files"].items()}
    message = f"{name}: exported from the hfbook zoo"
    repo = repo_dir(dest, name, org)
    commit = write_repo(source, repo, message, model_card(name, info), files)
    return ExportedRepo(name, repo_id(name, org), repo_type(name), repo, commit)


def export_repos(dest: str | Path, names: list[str] | None = None, org: str = ORG, log=print) -> list[ExportedRepo]:
    """Export the named zoo entries (default: every exportable one that is built) as repositories under ``dest``.

    Named entries must be built (the error names the build command); without names, unbuilt entries are skipped
    and said so.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "A hub server of your own").
    """
    manifest = read_manifest()
    if names:
        unknown = [n for n in names if n not in exportable()]
        if unknown:
            raise HubRepoError(f"unknown zoo entry {unknown[0]!r}; exportable: {', '.join(exportable())}")
        wanted = list(names)
    else:
        wanted = [n for n in exportable() if n in manifest]
        for n in exportable():
            if n not in manifest:
                log(f"hub repos: skipped {n} (not built; `python -m helpers.zoo build {n}` builds it)")
    out = []
    for name in wanted:
        exported = export_entry(name, dest, org, manifest)
        log(f"hub repos: {exported.repo_type} {exported.repo_id} at {exported.commit[:12]} -> {exported.path}")
        out.append(exported)
    return out


def write_repo(
    source: str | Path,
    repo: str | Path,
    message: str,
    card: str | None = None,
    files: dict[str, tuple[Path, str | None]] | None = None,
) -> str:
    """Write the files of folder ``source`` as a git repository at ``repo`` (replacing an older one): one commit
    on ``main`` tagged ``v1``, large files through git-lfs, ``card`` (default: ``source``'s own) as ``README.md``.
    ``files`` maps each path to its file and sha256 (None: hashed here); default: every file under ``source``.
    Returns the commit hash.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    if shutil.which("git") is None:
        raise HubRepoError("exporting the zoo needs the `git` program; install it (e.g. `apt-get install git`)")
    source, repo = Path(source), Path(repo)
    if files is None:
        files = {p.relative_to(source).as_posix(): (p, None) for p in sorted(source.rglob("*")) if p.is_file()}
        if card is None and "README.md" in files:
            card = files.pop("README.md")[0].read_text()
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    _git(repo, "init", "--quiet", "--initial-branch=main")
    lfs_files = []
    for rel in sorted(files):
        src, oid = files[rel]
        dst = repo / ("UPSTREAM_README.md" if rel == "README.md" else rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if _is_lfs(src):
            oid = oid or hashlib.sha256(src.read_bytes()).hexdigest()
            _link_or_copy(src, repo / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid)
            dst.write_text(LFS_POINTER.format(oid=oid, size=src.stat().st_size))
            lfs_files.append(rel)
        else:  # copied: the working tree is the maintainer's to edit, the zoo's files are not
            shutil.copyfile(src, dst)
    (repo / ".gitattributes").write_text("".join(f"{rel} filter=lfs diff=lfs merge=lfs -text\n" for rel in lfs_files))
    if card is not None:
        (repo / "README.md").write_text(card)
    _git(repo, "add", "--all")
    _git(repo, "commit", "--quiet", "--no-gpg-sign", "-m", message)
    _git(repo, "tag", TAG)
    return _git(repo, "rev-parse", "HEAD")


def check_repo(path: str | Path) -> None:
    """Raise :class:`HubRepoError` if the exported repository at ``path`` lacks a git-lfs object its commit names.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    path = Path(path)
    if not (path / ".git").is_dir():
        raise HubRepoError(f"{path} is not an exported repository; create it with `{EXPORT_HINT.format(dest='DIR')}`")
    for line in (path / ".gitattributes").read_text().splitlines():
        rel = line.split(" ", 1)[0]
        pointer = _git(path, "show", f"HEAD:{rel}")
        oid = pointer.split("oid sha256:", 1)[1].split()[0]
        obj = path / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
        if not obj.is_file():
            dest = path.parent.parent.parent
            raise HubRepoError(
                f"{path.name}: the git-lfs object of {rel} is missing ({obj}); export again with "
                f"`{EXPORT_HINT.format(dest=dest)} {path.name}`"
            )
