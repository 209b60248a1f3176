"""setup_chapter(): offline switches, seeds, device, printed summary (run in fresh processes)."""

import os
import re
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
    # one line of summary, then the cell's own prints
    assert lines[0].startswith("transformers 5.") and " · offline, local zoo · seed 3" in lines[0]
    assert " · cpu · " in lines[0] or " · cuda (" in lines[0]
    assert len(lines[0]) <= 80
    assert lines[1].startswith("offline ")
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
    assert out.stdout.splitlines()[0].endswith(" · hub mode (HFBOOK_HUB=1) · seed 0")
    assert "env None" in out.stdout


def test_patches_an_already_imported_hub():
    out = run(
        "import huggingface_hub\nfrom helpers import setup_chapter\nsetup_chapter()\n"
        "import huggingface_hub.constants as c\nprint('offline', c.HF_HUB_OFFLINE)"
    )
    assert out.returncode == 0, out.stderr
    assert "offline True" in out.stdout


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
    assert "threads 1" in out.stdout and " · 1 torch thread · " in out.stdout.splitlines()[0]
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


def test_versions_kept_out_of_the_line_but_returned():
    out = run(
        "from helpers import setup_chapter\nfrom helpers.setup import versions\ninfo = setup_chapter()\n"
        "print('same', info['versions'] == versions(), sorted(versions()))\n"
        "print('notes', info['notes'], info['short_tracebacks'])"
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 3, lines
    assert lines[1].startswith("same True [") and "'torch'" in lines[1] and "'python'" in lines[1]
    assert lines[2] == "notes [] False"  # no IPython shell here: tracebacks left as they are


def test_summary_line_wording():
    from helpers.setup import summary_line

    facts = {"device": "cuda", "gpu": "T4", "threads": 4, "seed": 0, "hub": False, "versions": {"transformers": "5.1"}}
    assert summary_line(facts) == "transformers 5.1 · cuda (T4) · 4 torch threads · offline, local zoo · seed 0"


def test_minimal_tracebacks_under_ipython():
    # an IPython shell (what a notebook kernel is): setup_chapter switches it to %xmode Minimal, silently
    out = run(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "from helpers import setup_chapter\ninfo = setup_chapter()\n"
        "print('mode', shell.InteractiveTB.mode, info['short_tracebacks'])\n"
        "shell.run_cell('def inner():\\n    raise ValueError(\"a short message\")\\n'\n"
        "               'def outer():\\n    inner()\\nouter()')\n"
    )
    assert out.returncode == 0, out.stderr
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # IPython colours its error lines
    lines = [line for line in plain.splitlines() if line.strip()]
    assert lines[1] == "mode Minimal True"
    assert "Exception reporting mode" not in out.stdout
    error = lines[2:]
    assert any("ValueError: a short message" in line for line in error), error
    assert len(error) <= 3 and not any("inner()" in line for line in error), error


def test_an_import_errors_path_is_left_out():
    from helpers.setup import without_path

    message = "cannot import name 'AdamW' from 'transformers' (/x/.venv/lib/site-packages/transformers/__init__.py)"
    assert without_path(message) == "cannot import name 'AdamW' from 'transformers'"
    assert without_path("No module named 'tf_keras'") == "No module named 'tf_keras'"
    assert without_path(r"cannot import name 'A' from 'b' (C:\\env\\b.py)") == "cannot import name 'A' from 'b'"
