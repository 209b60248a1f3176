"""setup_chapter(): offline switches, seeds, device, printed summary (run in fresh processes)."""

import os
import subprocess
import sys

import pytest


def run(code: str, **env) -> subprocess.CompletedProcess:
    full = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HFBOOK_HUB"}
    }
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=300)


def test_offline_seeded_and_summarised():
    out = run(
        "from helpers import setup_chapter\n"
        "info = setup_chapter(seed=3)\n"
        "import torch, random, numpy as np, os\n"
        "import huggingface_hub.constants as c\n"
        "print('offline', c.HF_HUB_OFFLINE, os.environ['HF_HUB_OFFLINE'])\n"
        "print('draw', torch.rand(1).item(), random.random(), np.random.rand())\n"
        "print('info', info['device'], info['seed'], info['hub'])\n"
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Versions: transformers 5.")
    assert any(line.startswith("Device: cpu") or line.startswith("Device: cuda") for line in lines)
    assert any("Mode: offline" in line for line in lines)
    assert "offline True 1" in lines
    import random

    import numpy as np
    import torch

    torch.manual_seed(3), random.seed(3), np.random.seed(3)
    expected = f"draw {torch.rand(1).item()} {random.random()} {np.random.rand()}"
    assert expected in lines
    assert "info cpu 3 False" in lines or "info cuda 3 False" in lines


def test_hub_mode_stays_online():
    out = run(
        "from helpers import setup_chapter\nsetup_chapter()\nimport os\nprint('env', os.environ.get('HF_HUB_OFFLINE'))",
        HFBOOK_HUB="1",
    )
    assert out.returncode == 0, out.stderr
    assert "Mode: hub" in out.stdout and "env None" in out.stdout


def test_patches_an_already_imported_hub():
    out = run(
        "import huggingface_hub\nfrom helpers import setup_chapter\nsetup_chapter()\n"
        "import huggingface_hub.constants as c\nprint('offline', c.HF_HUB_OFFLINE)"
    )
    assert out.returncode == 0, out.stderr
    assert "patched its HF_HUB_OFFLINE constant" in out.stdout and "offline True" in out.stdout


@pytest.mark.parametrize("executing,expected", [("1", "std"), ("", "notebook")])
def test_text_progress_bars_when_executing(executing, expected):
    out = run(
        "from helpers import setup_chapter\nsetup_chapter()\nimport tqdm.auto\nprint('bar', tqdm.auto.tqdm.__module__)",
        HFBOOK_EXECUTING=executing,
    )
    assert out.returncode == 0, out.stderr
    assert ("bar tqdm.std" in out.stdout) == (expected == "std")


def test_threads_from_the_environment():
    out = run(
        "from helpers import setup_chapter\nsetup_chapter()\nimport torch\nprint('threads', torch.get_num_threads())",
        HFBOOK_THREADS="1",
    )
    assert out.returncode == 0, out.stderr
    assert "threads 1" in out.stdout and "CPU threads for torch: 1" in out.stdout
    bad = run("from helpers import setup_chapter\nsetup_chapter()", HFBOOK_THREADS="two")
    assert bad.returncode != 0 and "HFBOOK_THREADS must be a positive integer" in bad.stderr


def test_go_online_and_back_offline_in_a_running_process():
    out = run(
        "import datasets.config, huggingface_hub.constants as c, os\n"
        "from helpers.setup import go_offline, go_online\n"
        "from helpers.local_hub import use_endpoint\n"
        "from huggingface_hub import hf_hub_url\n"
        "go_offline()\n"
        "print('off', c.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE, os.environ['HF_HUB_OFFLINE'])\n"
        "go_online()\n"
        "print('on', c.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE, 'HF_HUB_OFFLINE' in os.environ)\n"
        "use_endpoint('http://127.0.0.1:9/')\n"
        "print(hf_hub_url('hfbook/minilm', 'config.json'), datasets.config.HF_ENDPOINT, os.environ['HF_ENDPOINT'])\n"
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "off True True 1",
        "on False False False",
        "http://127.0.0.1:9/hfbook/minilm/resolve/main/config.json http://127.0.0.1:9 http://127.0.0.1:9",
    ]
