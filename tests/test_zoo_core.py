"""The zoo's machinery: verify, atomic and locked builds, clear errors."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers.zoo import core


def test_verify_passes_on_an_intact_copy(copied_zoo):
    assert core.verify(["bert-base-cased-tokenizer", "sentences"]) == []


def test_verify_names_a_flipped_byte_and_the_rebuild_command(copied_zoo):
    target = copied_zoo / "bert-base-cased-tokenizer" / "vocab.txt"
    data = bytearray(target.read_bytes())
    data[1000] ^= 0x01
    target.write_bytes(bytes(data))
    problems = core.verify(["bert-base-cased-tokenizer", "sentences"])
    assert len(problems) == 1
    assert str(target) in problems[0] and "changed" in problems[0]
    assert "python -m helpers.zoo build bert-base-cased-tokenizer --force" in problems[0]


def test_verify_names_a_missing_file(copied_zoo):
    target = copied_zoo / "sentences" / "movie_test.csv"
    target.unlink()
    problems = core.verify(["sentences"])
    assert problems == [f"sentences: missing file {target} — run `python -m helpers.zoo build sentences --force`"]


def test_verify_cli_exit_code(copied_zoo):
    env = {**os.environ, "HFBOOK_HOME": str(copied_zoo.parent)}
    ok = subprocess.run(
        [sys.executable, "-m", "helpers.zoo", "verify", "sentences"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (copied_zoo / "sentences" / "nyt_train.csv").write_text("tampered\n")
    bad = subprocess.run(
        [sys.executable, "-m", "helpers.zoo", "verify", "sentences"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "nyt_train.csv" in bad.stdout


def test_unknown_entry_is_a_clear_error(tmp_home):
    with pytest.raises(KeyError, match="unknown zoo entry 'nope'"):
        core.build(["nope"])


# A fake slow entry, built by two processes at once: the lock must leave exactly one intact build.
FAKE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from helpers.zoo import core

    def build(into, ctx):
        with open(sys.argv[1], "a") as log:
            log.write("built\\n")
        for i in range(20):
            (into / f"part{i}.txt").write_text(str(i) * 1000)
            time.sleep(0.05)
        return {"scores": {"parts": 20}}

    core.REGISTRY.clear()
    core.register(core.Entry("slow", "data", "a slow fake entry", "MIT", build))
    core.build(["slow"], log=lambda *a: None)
""")


def test_two_concurrent_builds_leave_one_intact_entry(tmp_home, tmp_path):
    script = tmp_path / "fake_build.py"
    script.write_text(FAKE)
    log = tmp_path / "builds.log"
    env = {**os.environ, "HFBOOK_HOME": str(tmp_home)}
    procs = [subprocess.Popen([sys.executable, str(script), str(log)], env=env) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert log.read_text().count("built") == 1  # the second waited for the lock, then found it built
    manifest = json.loads((tmp_home / "zoo" / "manifest.json").read_text())
    assert sorted(manifest["slow"]["files"]) == sorted(f"part{i}.txt" for i in range(20))
    assert [p.name for p in (tmp_home / "zoo").iterdir() if p.name.startswith(".build-")] == []


def test_a_failed_build_keeps_the_good_entry(tmp_home, registry):
    calls = []

    def good(into, ctx):
        (into / "weights.bin").write_bytes(b"good")
        return {"scores": {"accuracy": 0.9}}

    def bad(into, ctx):
        calls.append(1)
        (into / "weights.bin").write_bytes(b"bad")
        raise core.BuildFailed("accuracy 0.1 is below the floor 0.8")

    core.register(core.Entry("toy", "model", "toy", "MIT", good))
    core.build(["toy"], log=lambda *a: None)
    registry["toy"].build = bad
    with pytest.raises(core.BuildFailed, match="below the floor"):
        core.build(["toy"], force=True, log=lambda *a: None)
    assert calls == [1]
    assert (core.entry_dir("toy") / "weights.bin").read_bytes() == b"good"
    assert core.read_manifest()["toy"]["scores"] == {"accuracy": 0.9}
    assert [p.name for p in core.zoo_dir().iterdir() if p.name.startswith(".build-")] == []


def test_build_is_idempotent(tmp_home, registry):
    calls = []

    def once(into, ctx):
        calls.append(1)
        (into / "f.txt").write_text("x")
        return {}

    core.register(core.Entry("once", "data", "once", "MIT", once))
    core.build(log=lambda *a: None)
    core.build(log=lambda *a: None)
    assert calls == [1]


# Fake entries for the parallel build: a and b independent (each sleeps), c needs both; "bad" fails its floor.
PARALLEL = textwrap.dedent("""
    import os, sys, time
    from helpers.zoo import core

    def maker(name, fail=False, seconds=1.0):
        def build(into, ctx):
            with open(os.environ["FAKE_LOG"], "a") as log:
                log.write(f"start {name} {time.time()}\\n")
            time.sleep(seconds)
            (into / "f.txt").write_text(name)
            with open(os.environ["FAKE_LOG"], "a") as log:
                log.write(f"end {name} {time.time()}\\n")
            if fail:
                raise core.BuildFailed(f"{name}: accuracy 0.1 is below the floor 0.8")
            return {}
        return build

    core.REGISTRY.clear()
    core.register(core.Entry("a", "data", "a", "MIT", maker("a")))
    core.register(core.Entry("b", "data", "b", "MIT", maker("b")))
    core.register(core.Entry("c", "data", "c", "MIT", maker("c"), deps=["a", "b"]))
    core.register(core.Entry("bad", "data", "bad", "MIT", maker("bad", fail=True)))
    core.register(core.Entry("after-bad", "data", "after bad", "MIT", maker("after-bad"), deps=["bad"]))
    core.register(core.Entry("s1", "data", "s1", "MIT", maker("s1"), shares="one cache"))
    core.register(core.Entry("s2", "data", "s2", "MIT", maker("s2"), shares="one cache"))
    core.register(core.Entry("slow", "data", "slow", "MIT", maker("slow", seconds=3.0)))
    core.register(core.Entry("after-slow", "data", "after slow", "MIT", maker("after-slow"), deps=["slow"]))

    if __name__ == "__main__":
        from helpers.zoo.__main__ import main
        sys.exit(main(sys.argv[1:]))
""")


@pytest.fixture
def fake_parallel(tmp_home, tmp_path, monkeypatch):
    """The fake entries registered here and in every worker process (core.WORKER runs the same file)."""
    script = tmp_path / "fake_entries.py"
    script.write_text(PARALLEL)
    log = tmp_path / "builds.log"
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setattr(core, "WORKER", [sys.executable, str(script)])
    saved = dict(core.REGISTRY)
    spec = importlib.util.spec_from_file_location("fake_entries", script)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    yield log
    core.REGISTRY.clear()
    core.REGISTRY.update(saved)


def events(log: Path) -> dict[tuple[str, str], float]:
    return {(kind, name): float(t) for kind, name, t in (line.split() for line in log.read_text().splitlines())}


def test_parallel_build_overlaps_independent_entries_and_waits_for_dependencies(fake_parallel):
    built = []
    manifest = core.build(["c"], jobs=2, log=lambda *a: None, on_built=built.append)
    times = events(fake_parallel)
    assert sorted(manifest) == ["a", "b", "c"]
    assert times[("start", "b")] < times[("end", "a")] and times[("start", "a")] < times[("end", "b")]
    assert times[("start", "c")] >= max(times[("end", "a")], times[("end", "b")])
    assert sorted(built[:2]) == ["a", "b"] and built[2] == "c"
    assert [p.name for p in core.zoo_dir().iterdir() if p.name.startswith(".build-")] == []
    # a second parallel build finds everything built and starts no worker
    core.build(["c"], jobs=2, log=lambda *a: None)
    assert len(fake_parallel.read_text().splitlines()) == 6


def test_parallel_build_reports_a_failure_and_keeps_the_rest(fake_parallel):
    with pytest.raises(core.ZooError, match=r"building bad failed.*not started: after-bad") as err:
        core.build(["a", "after-bad"], jobs=2, quiet_workers=True, log=lambda *a: None)
    assert "accuracy 0.1 is below the floor 0.8" in str(err.value)  # the worker's log, kept quiet until it failed
    assert sorted(core.read_manifest()) == ["a"]
    assert ("start", "after-bad") not in events(fake_parallel)


def test_no_deps_refuses_a_missing_dependency(fake_parallel):
    with pytest.raises(core.ZooError, match="c needs a, b built first"):
        core.build(["c"], deps=False, log=lambda *a: None)


def test_entries_that_share_a_cache_do_not_build_at_the_same_time(fake_parallel):
    core.build(["s1", "s2", "a"], jobs=2, log=lambda *a: None)
    times = events(fake_parallel)
    assert times[("start", "s2")] >= times[("end", "s1")]
    assert times[("start", "a")] < times[("end", "s1")]  # the second worker took an entry of its own instead
    assert sorted(core.read_manifest()) == ["a", "s1", "s2"]


def test_the_longest_chain_of_work_starts_first(fake_parallel):
    # in the registry's order a and b would start first and s1, s2 (one cache, one after the other) after them
    core.build(["a", "b", "s1", "s2"], jobs=2, log=lambda *a: None, seconds={"a": 1, "b": 1, "s1": 5, "s2": 5})
    times = events(fake_parallel)
    assert times[("start", "s1")] < times[("end", "a")]  # s1 began with the first pair of workers
    assert times[("start", "b")] >= times[("end", "a")]  # b waited: it has the shortest chain
    assert sorted(core.read_manifest()) == ["a", "b", "s1", "s2"]


def test_a_free_worker_waits_for_a_long_chain_about_to_become_ready(fake_parallel):
    # slow (3 s) unblocks after-slow, expected to take 10 s; s1 and s2 (one cache) take 1 s each. When s1 is done,
    # the free worker keeps itself for after-slow instead of starting s2, whose chain is short.
    seconds = {"slow": 3, "after-slow": 10, "s1": 1, "s2": 1}
    core.build(["after-slow", "s1", "s2"], jobs=2, log=lambda *a: None, seconds=seconds)
    times = events(fake_parallel)
    assert times[("start", "s1")] < times[("end", "slow")]  # the first pair of workers: slow and s1
    assert times[("start", "s2")] >= times[("end", "slow")]  # s2 waited ...
    assert times[("start", "after-slow")] < times[("end", "s2")]  # ... and ran beside after-slow
    assert sorted(core.read_manifest()) == ["after-slow", "s1", "s2", "slow"]


def test_waiting_is_only_for_what_is_about_to_be_ready(registry):
    def noop(into, ctx):
        return {}

    for name, deps, shares in (
        ("base", [], None),
        ("long", ["base"], "x"),
        ("long2", ["base"], "x"),
        ("short", [], None),
    ):
        core.register(core.Entry(name, "data", name, "MIT", noop, deps=deps, shares=shares))
    seconds = {"base": 10, "long": 100, "long2": 100, "short": 50}
    todo = ["long", "long2", "short"]

    def wait(elapsed):
        return core.worth_waiting_for(todo, ["short"], {"base": 1000.0}, seconds, now=1000.0 + elapsed)

    assert wait(2) == ["long"]  # one of the two that share a cache
    assert wait(10 + core.HOLD_SECONDS + 1) == []  # base is overdue: no telling when it ends
    seconds["base"] = 10 + core.HOLD_SECONDS + 5
    assert wait(2) == []  # base ends too late to wait for
    seconds["base"], seconds["short"] = 10, 300
    assert wait(2) == []  # the ready entry has the longer chain
    assert core.worth_waiting_for(todo, ["short"], {}, seconds, now=0.0) == []  # base not started: nothing running


def test_critical_chains_add_dependents_and_cache_siblings(registry):
    def noop(into, ctx):
        return {}

    for name, deps, shares in (
        ("a", [], None),
        ("b", [], None),
        ("c", ["a", "b"], None),
        ("s1", [], "x"),
        ("s2", [], "x"),
    ):
        core.register(core.Entry(name, "data", name, "MIT", noop, deps=deps, shares=shares))
    chains = core.critical_chains(["a", "b", "c", "s1", "s2"], {"a": 10, "b": 1, "c": 5, "s1": 7, "s2": 3})
    assert chains == {"a": 15, "b": 6, "c": 5, "s1": 10, "s2": 10}
    assert core.critical_chains(["s1"], {"s1": 7, "s2": 3}) == {"s1": 7}  # s2 built already


def test_the_zoo_starts_the_base_model_before_the_instruct_model():
    from helpers.chapters import BUILD_SECONDS
    from helpers.zoo import REGISTRY

    chains = core.critical_chains(list(REGISTRY), BUILD_SECONDS)
    seconds = BUILD_SECONDS
    assert chains["ner"] == seconds["ner"] + seconds["qa"]  # they share the spaCy cache
    assert chains["minilm"] == seconds["minilm"] + seconds["fill-mask"]  # the longest head trained on it
    assert chains["minilm"] > chains["instruct"] and chains["sentences"] > chains["instruct"]


def test_ner_and_qa_share_the_spacy_cache():
    from helpers.zoo import REGISTRY

    assert REGISTRY["ner"].shares == REGISTRY["qa"].shares is not None


def test_dependency_order_and_cycles(registry):
    noop = lambda into, ctx: {}  # noqa: E731
    core.register(core.Entry("a", "data", "a", "MIT", noop, deps=["b"]))
    core.register(core.Entry("b", "data", "b", "MIT", noop))
    assert core._order(["a"]) == ["b", "a"]
    registry["b"].deps = ["a"]
    with pytest.raises(core.ZooError, match="cycle"):
        core._order(["a"])


# ------------------------------------------------------------------ a damaged entry is never reused
def overwrite_block(path: Path, offset: int = 1000, size: int = 16) -> None:
    """Overwrite ``size`` bytes in place (the file keeps its size), as a bad disk or a stray write would."""
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(size)
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in old))


def test_build_rebuilds_an_entry_whose_file_changed_or_went_missing(tmp_home, registry):
    calls, lines = [], []

    def toy(into, ctx):
        calls.append(1)
        (into / "weights.bin").write_bytes(bytes(range(256)) * 16)
        (into / "config.json").write_text("{}")
        return {}

    core.register(core.Entry("toy", "model", "toy", "MIT", toy))
    core.build(log=lines.append)
    good = core.read_manifest()["toy"]["files"]
    core.build(log=lines.append)
    assert calls == [1]  # intact: skipped
    weights = core.entry_dir("toy") / "weights.bin"
    overwrite_block(weights)
    lines.clear()
    core.build(log=lines.append)
    assert calls == [1, 1]
    assert lines[:2] == [
        f"zoo: toy: changed file {weights} (sha256 differs from the manifest)",
        "zoo: toy no longer matches its manifest: rebuilding it",
    ]
    assert core.hash_tree(core.entry_dir("toy")) == good and core.verify(["toy"]) == []
    (core.entry_dir("toy") / "config.json").unlink()
    lines.clear()
    core.build(log=lines.append)
    assert calls == [1, 1, 1] and lines[0].startswith("zoo: toy: missing file ")
    assert core.verify(["toy"]) == []


def test_an_entry_built_by_an_older_recipe_revision_is_rebuilt_and_refused_until_then(tmp_home, registry):
    calls, lines = [], []

    def toy(into, ctx):
        calls.append(1)
        (into / "weights.bin").write_bytes(b"v" * 64)
        return {}

    entry = core.register(core.Entry("toy", "model", "toy", "MIT", toy))
    core.build(log=lines.append)
    assert core.read_manifest()["toy"]["revision"] == 1
    entry.revision = 2  # the recipe changed in this checkout
    with pytest.raises(core.ZooStaleError, match=r"revision 1 .* revision 2; rebuild it with `python -m helpers"):
        core.check_unchanged("toy")
    assert core.verify(["toy"]) == [
        "toy: built by revision 1 of its recipe; this checkout's recipe is revision 2 — "
        "run `python -m helpers.zoo build toy --force`"
    ]
    lines.clear()
    core.build(log=lines.append)
    assert calls == [1, 1] and core.read_manifest()["toy"]["revision"] == 2
    assert lines[0] == "zoo: toy: built by revision 1 of its recipe; this checkout's recipe is revision 2"
    core.check_unchanged("toy")  # current again


def test_a_build_can_add_fields_to_an_entry_it_scores(tmp_home, registry):
    """An evaluation entry writes its score into the record of the model it scores, under the manifest's lock
    (a field set on the context's manifest would be lost: the core re-reads the manifest before writing it)."""

    def model(into, ctx):
        (into / "w").write_text("w")
        return {}

    def score(into, ctx):
        (into / "s.json").write_text("{}")
        return {"scores": {"ppl": 12.5}, "also_update": {"model": {"scores": {"ppl": 12.5}}}}

    core.register(core.Entry("model", "model", "a model", "MIT", model))
    core.register(core.Entry("score", "eval", "its score", "MIT", score, deps=["model"]))
    core.build(log=lambda line: None)
    manifest = core.read_manifest()
    assert manifest["model"]["scores"] == {"ppl": 12.5} and "also_update" not in manifest["score"]
    assert core.verify() == []


def test_an_entry_recorded_before_revisions_counts_as_revision_1(tmp_home, registry):
    core.register(core.Entry("toy", "model", "toy", "MIT", lambda into, ctx: (into / "w").write_text("w") and {}))
    core.build(log=lambda line: None)
    manifest = core.read_manifest()
    del manifest["toy"]["revision"]  # a manifest written before recipes had revisions
    assert core.stale("toy", manifest["toy"]) is None
    core.REGISTRY["toy"].revision = 3
    assert "revision 1 of its recipe" in core.stale("toy", manifest["toy"])


def test_zoo_build_command_rebuilds_a_damaged_copied_entry(make_zoo, capsys):
    from helpers.zoo.__main__ import main

    zoo = make_zoo(copies=("sentences",), downloads=True)
    good = core.read_manifest()["sentences"]["files"]
    target = zoo / "sentences" / "movie_test.csv"
    overwrite_block(target)
    assert main(["build", "sentences"]) == 0
    out = capsys.readouterr().out
    assert f"zoo: sentences: changed file {target} (sha256 differs from the manifest)" in out
    assert "zoo: sentences no longer matches its manifest: rebuilding it" in out
    assert core.hash_tree(zoo / "sentences") == good  # rebuilt byte for byte


def test_checkpoint_catches_a_changed_entry_and_names_the_command(copied_zoo):
    from helpers import checkpoint

    assert checkpoint("bert-base-cased") == str(copied_zoo / "bert-base-cased-tokenizer")
    vocab = copied_zoo / "bert-base-cased-tokenizer" / "vocab.txt"
    size = vocab.stat().st_size
    overwrite_block(vocab)
    assert vocab.stat().st_size == size  # the same size: only the stamp's mtime (then the hash) can tell
    with pytest.raises(core.ZooChangedError) as err:
        checkpoint("bert-base-cased")
    assert str(err.value) == (
        f"zoo entry 'bert-base-cased-tokenizer' is damaged: {vocab} changed since it was "
        "built (sha256 differs from the manifest); rebuild it with "
        "`python -m helpers.zoo build bert-base-cased-tokenizer --force`"
    )
    vocab.unlink()
    with pytest.raises(
        core.ZooChangedError,
        match="missing file .*vocab.txt; rebuild it with `python -m "
        "helpers.zoo build bert-base-cased-tokenizer --force`",
    ):
        checkpoint("bert-base-cased")


def test_loading_damaged_sentences_names_the_command(copied_zoo):
    from helpers.data import load_sentences

    overwrite_block(copied_zoo / "sentences" / "nyt_train.csv")
    with pytest.raises(core.ZooChangedError, match="python -m helpers.zoo build sentences --force"):
        load_sentences("nyt")


def test_checkpoint_rehashes_only_what_changed_since_the_stamp(copied_zoo, monkeypatch):
    from helpers import checkpoint

    hashed = []
    real = core.sha256
    monkeypatch.setattr(core, "sha256", lambda path: hashed.append(path.name) or real(path))
    checkpoint("bert-base-cased")  # a copied zoo has no stamp yet: every file is hashed once
    assert sorted(hashed) == sorted(core.read_manifest()["bert-base-cased-tokenizer"]["files"])
    hashed.clear()
    checkpoint("bert-base-cased")
    assert hashed == []  # stamped: sizes and mtimes only
    vocab = copied_zoo / "bert-base-cased-tokenizer" / "vocab.txt"
    os.utime(vocab, ns=(vocab.stat().st_atime_ns, vocab.stat().st_mtime_ns + 10**9))  # touched, not changed
    checkpoint("bert-base-cased")
    assert hashed == ["vocab.txt"]
    hashed.clear()
    checkpoint("bert-base-cased")
    assert hashed == []


@pytest.mark.parametrize(
    "error",
    [
        OSError(28, "No space left on device"),
        RuntimeError("Error while serializing: I/O error: No space left on device (os error 28)"),
    ],
)
def test_a_full_disk_says_so_and_keeps_nothing(tmp_home, registry, error):
    def toy(into, ctx):
        (into / "weights.bin").write_bytes(b"half")
        try:
            raise error
        except Exception as inner:  # as a wrapper would: the disk error is the cause
            raise core.ZooError("part 1 is missing; check that the registry is reachable") from inner

    core.register(core.Entry("toy", "model", "toy", "MIT", toy))
    with pytest.raises(core.ZooError) as info:
        core.build(log=lambda *a: None)
    message = str(info.value)
    assert message.startswith(f"zoo: building toy failed: the disk that holds the zoo ({core.zoo_dir()}) is full (")
    assert "set HFBOOK_HOME to a folder on a larger disk, then run `python -m helpers.zoo build toy`" in message
    assert "toy" not in core.read_manifest()
    assert not list(core.zoo_dir().glob(".build-*"))  # nothing half-written stays


def test_other_build_errors_pass_through(tmp_home, registry):
    def toy(into, ctx):
        raise ValueError("a bug in the recipe")

    core.register(core.Entry("toy", "model", "toy", "MIT", toy))
    with pytest.raises(ValueError, match="a bug in the recipe"):
        core.build(log=lambda *a: None)


def fake_pip(calls, fail=False):
    """A stand-in for ``subprocess.run`` of ``pip download``: records the requested packages and writes a wheel
    file for each into the ``-d`` folder (nothing is downloaded)."""

    def run(cmd, **kwargs):
        assert cmd[1:4] == ["-m", "pip", "download"]
        folder = Path(cmd[cmd.index("-d") + 1])
        wanted = [a for a in cmd if "==" in a]
        calls.append(wanted)
        if not fail:
            for req in wanted:
                package, version = req.split("==")
                (folder / f"{package.replace('-', '_')}-{version}-py3-none-any.whl").write_bytes(req.encode())
        return subprocess.CompletedProcess(cmd, 1 if fail else 0, "", "no such package" if fail else "")

    return run


def test_prefetch_downloads_the_missing_wheels_with_one_pip(tmp_home, monkeypatch):
    calls = []
    monkeypatch.setattr(core.subprocess, "run", fake_pip(calls))
    cached = core.downloads_dir() / "Some.Pkg-part3-1.0"
    cached.mkdir(parents=True)
    (cached / "some_pkg_part3-1.0-py3-none-any.whl").write_bytes(b"had it")
    pairs = [(f"Some.Pkg-part{i}", "1.0") for i in (1, 2, 3)]
    assert core.prefetch_wheels(pairs) is True
    assert calls == [["Some.Pkg-part1==1.0", "Some.Pkg-part2==1.0"]]  # one pip, only what was missing
    got = [core.fetch_dist(p, v) for p, v in pairs]  # now found in the cache: no further pip
    assert len(calls) == 1
    assert [f.read_bytes() for f in got] == [b"Some.Pkg-part1==1.0", b"Some.Pkg-part2==1.0", b"had it"]
    assert sorted(p.name for p in core.downloads_dir().iterdir() if not p.name.startswith(".lock")) == [
        f"Some.Pkg-part{i}-1.0" for i in (1, 2, 3)
    ]  # no temporary folder left


def test_a_failed_prefetch_leaves_the_naming_to_fetch_dist(tmp_home, monkeypatch):
    calls = []
    monkeypatch.setattr(core.subprocess, "run", fake_pip(calls, fail=True))
    assert core.prefetch_wheels([("a-pkg", "1.0"), ("b-pkg", "2.0")]) is False
    assert [p for p in core.downloads_dir().iterdir() if not p.name.startswith(".lock")] == []
    with pytest.raises(core.ZooError, match=r"could not download b-pkg==2.0:\nno such package"):
        core.fetch_dist("b-pkg", "2.0")
