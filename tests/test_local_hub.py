"""helpers/local_hub.py: olah serving the exported zoo; every entry loaded by its repo id equals the zoo folder."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest
import torch
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import RemoteEntryNotFoundError, RepositoryNotFoundError

from helpers.hub_repos import HubRepoError, export_entry
from helpers.local_hub import HubNotRunning, LocalHub, check_endpoint, config_text, free_port
from helpers.zoo import entry_dir, read_manifest

TEXT = "The hub served this sentence, and the zoo did too."
# The head each model entry is loaded with (a task model compared through its head, not only its encoder).
MODEL_CLASSES = {
    "minilm": "AutoModel",
    "sentiment": "AutoModelForSequenceClassification",
    "ner": "AutoModelForTokenClassification",
    "qa": "AutoModelForQuestionAnswering",
    "fill-mask": "AutoModelForMaskedLM",
    "smollm2": "AutoModelForCausalLM",
}
# Loaded as config and tokenizer only: 2.5 GB of float32 weights, twice, is too much for a unit test on a small
# machine; its weights' bytes are still checked against the zoo's sha256 below.
CONFIG_AND_TOKENIZER_ONLY = {"instruct"}


def test_config_is_offline_with_explicit_paths(tmp_path):
    text = config_text(tmp_path / "repos", tmp_path / "state", 8123)
    assert "offline = true" in text and f'mirrors-path = ["{tmp_path / "repos"}"]' in text
    assert f'repos-path = "{tmp_path / "state" / "repos"}"' in text and 'mirror-netloc = "127.0.0.1:8123"' in text


def test_server_answers_and_serves_refs(local_hub, hub_repos):
    check_endpoint(local_hub.endpoint)
    api = HfApi(endpoint=local_hub.endpoint)
    refs = api.list_repo_refs("hfbook/minilm")
    assert [b.target_commit for b in refs.branches] == [hub_repos["minilm"].commit]
    assert [(t.name, t.target_commit) for t in refs.tags] == [("v1", hub_repos["minilm"].commit)]
    assert api.model_info("hfbook/minilm").sha == hub_repos["minilm"].commit
    assert local_hub.pid and "running" in repr(local_hub)


def test_missing_file_is_404_not_401_on_a_branch(local_hub, tmp_path):
    # olah 0.5.4 offline answers 401 here without helpers.local_hub.patch_branch_lookup
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download("hfbook/minilm", "no_such_file.json", cache_dir=tmp_path)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("hfbook/no-such-model", "config.json", cache_dir=tmp_path)


@pytest.mark.parametrize("name", sorted(MODEL_CLASSES) + sorted(CONFIG_AND_TOKENIZER_ONLY))
def test_every_model_entry_through_the_hub_equals_the_zoo_folder(local_hub, hub_repos, tmp_path, name):
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    repo = hub_repos[name].repo_id
    folder = entry_dir(name)
    hub_config = AutoConfig.from_pretrained(repo, cache_dir=tmp_path).to_dict()
    zoo_config = AutoConfig.from_pretrained(folder).to_dict()
    assert hub_config.pop("_name_or_path") == repo and zoo_config.pop("_name_or_path") == str(folder)
    assert hub_config == zoo_config
    hub_tok = AutoTokenizer.from_pretrained(repo, cache_dir=tmp_path)
    zoo_tok = AutoTokenizer.from_pretrained(folder)
    assert hub_tok(TEXT)["input_ids"] == zoo_tok(TEXT)["input_ids"]
    if name in CONFIG_AND_TOKENIZER_ONLY:
        return
    auto = getattr(transformers, MODEL_CLASSES[name])
    batch = zoo_tok(TEXT, return_tensors="pt")
    with torch.no_grad():
        hub_out = auto.from_pretrained(repo, cache_dir=tmp_path).eval()(**batch)
        zoo_out = auto.from_pretrained(folder).eval()(**batch)
    key = "last_hidden_state" if name == "minilm" else ("start_logits" if name == "qa" else "logits")
    assert torch.equal(hub_out[key], zoo_out[key])


@pytest.mark.parametrize(
    "name", ["bert-base-cased-tokenizer", "bert-base-chinese-tokenizer", "bert-multilingual-cased-tokenizer"]
)
def test_tokenizer_entries_through_the_hub(local_hub, hub_repos, tmp_path, name):
    from transformers import AutoTokenizer

    text = "A Titan RTX has 24GB of VRAM; 我爱自然语言处理"
    hub_tok = AutoTokenizer.from_pretrained(hub_repos[name].repo_id, cache_dir=tmp_path)
    assert hub_tok(text)["input_ids"] == AutoTokenizer.from_pretrained(entry_dir(name))(text)["input_ids"]


def test_large_weights_are_served_byte_for_byte(local_hub, hub_repos, tmp_path):
    path = hf_hub_download(
        "hfbook/minilm", "model.safetensors", revision=hub_repos["minilm"].commit, cache_dir=tmp_path
    )
    sha256 = read_manifest()["minilm"]["files"]["model.safetensors"]
    assert os.path.basename(os.path.realpath(path)) == sha256  # the blob is named by the ETag: the sha256
    assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha256


def test_sentences_as_a_dataset_repo_equal_the_zoo_data(local_hub, tmp_path):
    from datasets import load_dataset

    from helpers.data import load_sentences

    for name in ("movie", "nyt"):
        hub = load_dataset("hfbook/sentences", name, cache_dir=str(tmp_path))
        zoo = load_sentences(name)
        for split in ("train", "validation", "test"):
            assert hub[split]["sentence"] == zoo[split]["sentence"] and hub[split]["label"] == zoo[split]["label"]


def test_not_running_and_wrong_port_say_how_to_start_it():
    port = free_port()
    with pytest.raises(HubNotRunning) as err:
        check_endpoint(f"http://127.0.0.1:{port}")
    assert str(err.value).startswith(f"no hub answers at http://127.0.0.1:{port} (")
    assert "start one with `python -m helpers.local_hub serve DIR --port PORT` (or `make hub`)" in str(err.value)


def test_start_refuses_an_empty_folder_and_a_missing_lfs_object(tmp_path):
    with pytest.raises(
        HubRepoError, match=r"no exported repositories under .*; run `python -m helpers.zoo export-repos"
    ):
        LocalHub(tmp_path).start()
    repo = export_entry("minilm", tmp_path).path
    oid = read_manifest()["minilm"]["files"]["model.safetensors"]
    (repo / ".git/lfs/objects" / oid[:2] / oid[2:4] / oid).unlink()
    hub = LocalHub(tmp_path)
    with pytest.raises(HubRepoError, match="the git-lfs object of model.safetensors is missing"):
        hub.start()
    assert hub.pid is None


def test_start_and_stop_by_process_id(tmp_path):
    export_entry("bert-base-cased-tokenizer", tmp_path)
    hub = LocalHub(tmp_path, state=tmp_path / "state").start()
    pid = hub.pid
    os.kill(pid, 0)  # alive
    hub.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert hub.pid is None and "stopped" in repr(hub)
    with pytest.raises(HubNotRunning):
        check_endpoint(hub.endpoint)


def test_a_taken_port_is_reported_with_the_log(tmp_path):
    export_entry("bert-base-cased-tokenizer", tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        hub = LocalHub(tmp_path, port=busy.getsockname()[1])
        with pytest.raises(HubNotRunning, match="exited at start"):
            hub.start()


def test_absent_files_are_recorded_so_an_offline_load_works(local_hub, tmp_path, monkeypatch):
    import huggingface_hub.constants as hub_constants
    from transformers import AutoTokenizer

    name = "hfbook/bert-base-cased-tokenizer"
    AutoTokenizer.from_pretrained(name, cache_dir=tmp_path)
    absent = {p.name for p in tmp_path.glob("models--hfbook--bert-base-cased-tokenizer/.no_exist/*/*")}
    assert "config.json" in absent  # olah's 404 carries the commit (helpers.local_hub.patch_missing_file_answer)
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    offline = AutoTokenizer.from_pretrained(name, cache_dir=tmp_path)
    assert offline("A Titan RTX")["input_ids"] == [101, 138, 18696, 155, 1942, 3190, 102]


def test_serve_command_refuses_a_folder_without_repositories(tmp_path, capsys):
    from helpers.local_hub import main

    assert main(["serve", str(tmp_path), "--port", str(free_port())]) == 2
    assert "local hub: error: no exported repositories under" in capsys.readouterr().err
