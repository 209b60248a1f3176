import pytest

from helpers import CHECKPOINTS, checkpoint, hub_mode
from helpers.zoo.core import ZooMissingError


def test_offline_resolves_to_zoo_folder(copied_zoo):
    path = checkpoint("bert-base-cased")
    assert path == str(copied_zoo / "bert-base-cased-tokenizer")
    assert (copied_zoo / "bert-base-cased-tokenizer" / "vocab.txt").is_file()


def test_hub_mode_gives_the_seeds_hub_id(monkeypatch, tmp_home):
    monkeypatch.setenv("HFBOOK_HUB", "1")
    assert hub_mode()
    assert checkpoint("sentiment") == "distilbert-base-uncased-finetuned-sst-2-english"
    assert checkpoint("bert-base-cased") == "bert-base-cased"
    assert checkpoint("gpt2") == "gpt2"  # hub-only names work in hub mode


@pytest.mark.parametrize("value,expected", [("0", False), ("", False), ("no", False), ("1", True), ("true", True)])
def test_hub_switch_values(monkeypatch, value, expected):
    monkeypatch.setenv("HFBOOK_HUB", value)
    assert hub_mode() is expected


def test_unknown_name_lists_the_known_ones(tmp_home):
    with pytest.raises(KeyError) as err:
        checkpoint("distilbert")
    assert "unknown checkpoint 'distilbert'" in str(err.value)
    for name in ("sentiment", "causal-lm", "bert-base-cased"):
        assert name in str(err.value)


def test_missing_zoo_names_the_build_command(tmp_home):
    with pytest.raises(ZooMissingError) as err:
        checkpoint("causal-lm")
    assert "python -m helpers.zoo build smollm2" in str(err.value)


def test_hub_only_name_offline_is_a_clear_error(tmp_home):
    with pytest.raises(KeyError, match="hub-only"):
        checkpoint("gpt2")


def test_every_offline_name_points_at_a_registered_zoo_entry():
    from helpers.zoo import REGISTRY

    assert [c.name for c in CHECKPOINTS.values() if c.zoo is not None and c.zoo not in REGISTRY] == []
    assert {c.zoo for c in CHECKPOINTS.values()} >= {
        "minilm",
        "sentiment",
        "ner",
        "qa",
        "fill-mask",
        "smollm2",
        "instruct",
    }


def test_checkpoint_table_lists_every_name_with_what_runs_and_whether_it_is_built(copied_zoo):
    from helpers import checkpoint_table

    table = checkpoint_table()
    assert list(table.index) == list(CHECKPOINTS)
    assert list(table.columns) == ["offline (zoo entry)", "what runs offline", "hub mode (seed's checkpoint)", "built"]
    built = table.index[table["built"] == "yes"].tolist()
    assert built == ["bert-base-cased"]  # the copied zoo holds only the cased tokenizer and the sentences
    assert table.loc["gpt2", "offline (zoo entry)"] == "—" and table.loc["gpt2", "built"] == "no"
    assert table.loc["sentiment", "hub mode (seed's checkpoint)"] == "distilbert-base-uncased-finetuned-sst-2-english"
    assert table.loc["sentiment", "offline (zoo entry)"] == "sentiment"


def test_generation_names_resolve_to_the_instruct_model_offline(tmp_home):
    for name in ("summarization", "translation", "translation-en-zh", "chat"):
        assert CHECKPOINTS[name].zoo == "instruct", name
        assert "Qwen2.5-Coder-1.5B-Instruct" in CHECKPOINTS[name].offline_model
        with pytest.raises(ZooMissingError, match="python -m helpers.zoo build instruct"):
            checkpoint(name)
    assert CHECKPOINTS["causal-lm"].zoo == "smollm2"  # the tiny model stays for the sampling internals


def test_generation_names_in_hub_mode(monkeypatch, tmp_home):
    monkeypatch.setenv("HFBOOK_HUB", "1")
    assert checkpoint("summarization") == checkpoint("translation") == "t5-base"
    assert checkpoint("translation-en-zh") == "Helsinki-NLP/opus-mt-en-zh"
    assert checkpoint("chat") == "Qwen/Qwen2.5-Coder-1.5B-Instruct"
