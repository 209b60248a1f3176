"""helpers/hub_repos.py: the zoo exported as hub repositories (deterministic commits, cards, git-lfs layout)."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
import yaml
from huggingface_hub import ModelCard

from helpers.hub_repos import (
    LFS_POINTER,
    TAG,
    HubRepoError,
    check_repo,
    export_entry,
    export_repos,
    exportable,
    repo_dir,
)
from helpers.zoo import REGISTRY, read_manifest
from helpers.zoo.__main__ import main as zoo_main


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def front_matter(path):
    text = path.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_every_entry_but_score_only_ones_is_exported():
    assert set(exportable()) == {n for n, e in REGISTRY.items() if e.kind != "eval"}
    assert "smollm2-perplexity" not in exportable() and "sentences" in exportable()


def test_export_layout_commit_tag_and_lfs_objects(hub_repos):
    minilm, sentences = hub_repos["minilm"], hub_repos["sentences"]
    assert minilm.repo_id == "hfbook/minilm" and minilm.path.parts[-3:] == ("models", "hfbook", "minilm")
    assert sentences.repo_type == "dataset" and sentences.path.parts[-3:] == ("datasets", "hfbook", "sentences")
    assert git(minilm.path, "rev-parse", TAG) == git(minilm.path, "rev-parse", "main") == minilm.commit
    info = read_manifest()["minilm"]
    oid = info["files"]["model.safetensors"]
    pointer = git(minilm.path, "show", "HEAD:model.safetensors") + "\n"
    size = (minilm.path / ".git/lfs/objects" / oid[:2] / oid[2:4] / oid).stat().st_size
    assert pointer == LFS_POINTER.format(oid=oid, size=size)
    assert git(minilm.path, "show", "HEAD:.gitattributes") == "model.safetensors filter=lfs diff=lfs merge=lfs -text"
    vocab = git(minilm.path, "show", "HEAD:vocab.txt") + "\n"  # small files are plain git blobs
    assert hashlib.sha256(vocab.encode()).hexdigest() == info["files"]["vocab.txt"]
    # the upstream card is kept beside the new one
    assert set(git(minilm.path, "ls-files").split()) == {*info["files"], ".gitattributes", "UPSTREAM_README.md"}
    check_repo(minilm.path)


def test_the_same_zoo_content_gives_the_same_commit(hub_repos, tmp_path):
    again = export_entry("bert-base-cased-tokenizer", tmp_path)
    assert again.commit == hub_repos["bert-base-cased-tokenizer"].commit
    assert git(again.path, "log", "--format=%an <%ae> %aI %cI") == (
        "hfbook zoo <zoo@hfbook.invalid> 2026-01-01T00:00:00+00:00 2026-01-01T00:00:00+00:00"
    )


def test_model_cards_carry_licence_pipeline_and_held_out_scores(hub_repos):
    manifest = read_manifest()
    card = front_matter(hub_repos["sentiment"].path / "README.md")
    assert card["license"] == "apache-2.0" and card["pipeline_tag"] == "text-classification"
    assert card["library_name"] == "transformers" and card["base_model"] == "sentence-transformers/all-MiniLM-L6-v2"
    metrics = card["model-index"][0]["results"][0]["metrics"]
    assert metrics == [{"type": "accuracy", "value": manifest["sentiment"]["scores"]["accuracy"]}]
    body = (hub_repos["sentiment"].path / "README.md").read_text()
    assert (
        "distilbert-base-uncased-finetuned-sst-2-english" in body
        and manifest["sentiment"]["files"]["model.safetensors"] in body
    )
    assert front_matter(hub_repos["bert-base-chinese-tokenizer"].path / "README.md")["language"] == ["zh"]
    # huggingface_hub reads the model-index as the hub does
    results = ModelCard.load(hub_repos["sentiment"].path / "README.md").data.eval_results
    assert [(r.task_type, r.metric_type, r.metric_value, r.dataset_type) for r in results] == [
        ("text-classification", "accuracy", manifest["sentiment"]["scores"]["accuracy"], "hfbook/sentences")
    ]
    data = front_matter(hub_repos["sentences"].path / "README.md")
    assert data["license"] == "mit" and [c["config_name"] for c in data["configs"]] == [
        "amazon",
        "movie",
        "nyt",
        "tweets",
    ]
    assert data["configs"][1]["default"] is True


def test_unknown_entry_and_missing_lfs_object_say_what_to_run(hub_repos, tmp_path):
    with pytest.raises(HubRepoError, match=r"unknown zoo entry 'nope'; exportable: minilm"):
        export_repos(tmp_path, ["nope"])
    repo = export_entry("minilm", tmp_path).path
    oid = read_manifest()["minilm"]["files"]["model.safetensors"]
    (repo / ".git/lfs/objects" / oid[:2] / oid[2:4] / oid).unlink()
    with pytest.raises(HubRepoError) as err:
        check_repo(repo)
    assert str(err.value) == (
        f"minilm: the git-lfs object of model.safetensors is missing "
        f"({repo / '.git/lfs/objects' / oid[:2] / oid[2:4] / oid}); export again with "
        f"`python -m helpers.zoo export-repos {tmp_path} minilm`"
    )
    with pytest.raises(HubRepoError, match="is not an exported repository"):
        check_repo(tmp_path)


def test_command_line(tmp_path, capsys):
    assert zoo_main(["export-repos", str(tmp_path), "bert-base-cased-tokenizer"]) == 0
    assert "model hfbook/bert-base-cased-tokenizer at" in capsys.readouterr().out
    assert (repo_dir(tmp_path, "bert-base-cased-tokenizer") / "vocab.txt").is_file()
    assert zoo_main(["export-repos", str(tmp_path), "nope"]) == 2
    assert "unknown zoo entry 'nope'" in capsys.readouterr().err
