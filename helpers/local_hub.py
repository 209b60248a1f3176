"""A hub server of our own: the self-hosted mirror ``olah`` serving the exported zoo repositories on 127.0.0.1.

Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
Command line: ``python -m helpers.local_hub serve DIR [--port 8090]`` (``make hub`` exports the zoo first).

``LocalHub(DIR)`` serves the repositories that ``python -m helpers.zoo export-repos DIR`` wrote
(``DIR/models/hfbook/minilm``, ...) over the Hugging Face hub's HTTP protocol, so that ``HF_ENDPOINT`` pointed at
it makes ``from_pretrained("hfbook/minilm")``, ``snapshot_download`` and ``load_dataset`` download from it. It
writes olah's TOML configuration (every path explicit, ``[accessibility] offline = true``: olah never contacts
the real hub), starts the server on a free port, waits until it answers and stops it by its process id; use it as a
context manager or call :meth:`LocalHub.start` and :meth:`LocalHub.stop` yourself.

Three shims to olah 0.5.4, applied in the server process only. In offline mode it resolves a branch or tag
name (``main``, ``v1``) only through its proxy cache, never through the local repositories, so a file that is absent
from a repository answers 401 "repository not found" instead of 404 "entry not found" -- and ``AutoTokenizer``
asks for optional files that a repository may lack; :func:`patch_branch_lookup` makes the lookup fall back to the
local git repository. And its 404 carries no commit hash, so the client cannot record the file as absent for a
later offline load; :func:`patch_missing_file_answer` adds it, as the hub does. And it sends a file in 4 KiB
chunks; :func:`patch_chunk_size` sends 1 MiB ones (five times faster for SmolLM2's 538 MB).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from .hub_repos import EXPORT_HINT, HubRepoError, check_repo

HOST = "127.0.0.1"
START_HINT = "python -m helpers.local_hub serve {dest} --port {port}"


class HubNotRunning(ConnectionError):
    """Nothing answers at the hub address; the message says how to start the local hub.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """


def use_endpoint(endpoint: str) -> str:
    """Point huggingface_hub, transformers and datasets at the hub server ``endpoint`` (e.g. a mirror) and return it.

    ``HF_ENDPOINT`` does this when it is set before the libraries are imported (they read it once, into constants);
    in a running process this sets the variable and patches those constants, the way
    :func:`helpers.setup.go_offline` does for ``HF_HUB_OFFLINE``.

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    endpoint = endpoint.rstrip("/")
    os.environ["HF_ENDPOINT"] = endpoint
    if "huggingface_hub" in sys.modules:
        from huggingface_hub import constants, hf_api

        constants.ENDPOINT = endpoint
        constants.HUGGINGFACE_CO_URL_TEMPLATE = endpoint + "/{repo_id}/resolve/{revision}/{filename}"
        hf_api.api.endpoint = endpoint  # the shared client behind huggingface_hub's module-level functions
    if "transformers" in sys.modules:
        import transformers.utils.hub

        transformers.utils.hub._hf_api = None  # its shared client is made again, with the new endpoint
    if "datasets" in sys.modules:
        import datasets.config

        datasets.config.HF_ENDPOINT = endpoint
        datasets.config.HUB_DATASETS_URL = endpoint + "/datasets/{repo_id}/resolve/{revision}/{path}"
    return endpoint


def free_port(host: str = HOST) -> int:
    """A TCP port that nothing listens on right now.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def repo_folders(dest: str | Path) -> list[Path]:
    """Every exported repository under ``dest`` (``models/<org>/<name>``, ``datasets/<org>/<name>``, and
    ``models/<name>`` for a hub id without an organisation, such as ``gpt2``).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    dest = Path(dest)
    found = [p for kind in ("models", "datasets") for pattern in ("*", "*/*") for p in dest.glob(f"{kind}/{pattern}")]
    return sorted(p for p in found if (p / ".git").is_dir())


def config_text(dest: Path, state: Path, port: int, host: str = HOST) -> str:
    """olah's TOML configuration: the mirrors under ``dest``, its own cache under ``state``, offline.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    netloc = f"{host}:{port}"
    return (
        "[basic]\n"
        f'host = "{host}"\nport = {port}\n'
        f'repos-path = "{state / "repos"}"\n'
        f'mirror-netloc = "{netloc}"\nmirror-lfs-netloc = "{netloc}"\n'
        f'mirrors-path = ["{dest}"]\n'
        "\n[accessibility]\noffline = true\n"
    )


def check_endpoint(endpoint: str, timeout: float = 5.0) -> None:
    """Raise :class:`HubNotRunning` (saying how to start one) unless an HTTP server answers at ``endpoint``.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    try:
        urllib.request.urlopen(endpoint.rstrip("/") + "/api/models/hfbook/minilm", timeout=timeout).close()
    except urllib.error.HTTPError:
        return  # it answered, even if with an error status
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise HubNotRunning(
            f"no hub answers at {endpoint} ({reason}); start one with "
            f"`{START_HINT.format(dest='DIR', port='PORT')}` (or `make hub`) and point HF_ENDPOINT at the URL it prints"
        ) from None


class LocalHub:
    """olah serving the repositories under ``dest`` on ``host:port`` (a free port unless given).

    Defined in chapter 1 (``book/01_installation_and_caching.ipynb``, "A hub server of your own").
    """

    def __init__(self, dest: str | Path, port: int | None = None, host: str = HOST, state: str | Path | None = None):
        self.dest = Path(dest).resolve()
        self.host = host
        self.port = port or free_port(host)
        self._own_state = state is None
        self.state = Path(state) if state is not None else Path(tempfile.mkdtemp(prefix="olah-"))
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        """The URL to put into ``HF_ENDPOINT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def log_file(self) -> Path:
        return self.state / "server.log"

    def check(self) -> list[Path]:
        """The repositories to serve; raise :class:`~helpers.hub_repos.HubRepoError` if there are none or one lacks
        a git-lfs object."""
        repos = repo_folders(self.dest)
        if not repos:
            raise HubRepoError(
                f"no exported repositories under {self.dest}; run `{EXPORT_HINT.format(dest=self.dest)}`"
            )
        for repo in repos:
            check_repo(repo)
        return repos

    def write_config(self) -> Path:
        self.state.mkdir(parents=True, exist_ok=True)
        path = self.state / "olah.toml"
        path.write_text(config_text(self.dest, self.state, self.port, self.host))
        return path

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "helpers.local_hub",
            "serve",
            str(self.dest),
            "--port",
            str(self.port),
            "--host",
            self.host,
            "--state",
            str(self.state),
        ]

    def start(self, timeout: float = 60.0) -> LocalHub:
        """Start the server in the background and return once it answers (or raise, with its log)."""
        if self.process is not None and self.process.poll() is None:
            return self
        self.check()
        self.state.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parent.parent)  # this copy of `helpers`, not another one
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                tail = self.log_file.read_text(errors="replace")[-1500:]
                self.process = None
                self._forget_state()
                raise HubNotRunning(f"the local hub exited at start (port {self.port} taken?); its log:\n{tail}")
            try:
                check_endpoint(self.endpoint, timeout=2)
                return self
            except HubNotRunning:
                if time.monotonic() > deadline:
                    tail = self.log_file.read_text(errors="replace")[-1500:]
                    self.stop()
                    raise HubNotRunning(
                        f"the local hub did not answer at {self.endpoint} within {timeout:.0f} s; its log:\n{tail}"
                    ) from None
                time.sleep(0.2)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server by its process id (SIGTERM, then SIGKILL after ``timeout`` seconds); a state folder
        that the hub made itself (its configuration, cache and log) is deleted."""
        if self.process is None:
            return
        pid, process, self.process = self.process.pid, self.process, None
        if process.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                process.wait()
        self._forget_state()

    def _forget_state(self) -> None:
        if self._own_state:
            shutil.rmtree(self.state, ignore_errors=True)

    def __enter__(self) -> LocalHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running, pid {self.pid}" if self.pid else "stopped"
        return f"LocalHub({self.endpoint}, {state}, serving {self.dest})"


def local_commit(app, repo_type: str, org: str | None, repo: str, revision: str) -> str | None:
    """The commit hash that ``revision`` (branch, tag or hash) names in the local repository olah serves, if any.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    from git import BadName
    from olah.mirror.repos import LocalMirrorRepo

    for mirror in app.state.app_settings.config.mirrors_path:
        path = os.path.join(mirror, repo_type, org or "", repo)
        if os.path.isdir(os.path.join(path, ".git")):
            try:
                return LocalMirrorRepo(path, repo_type, org, repo)._git_repo.commit(revision).hexsha
            except (BadName, ValueError):
                return None
    return None


def patch_branch_lookup() -> None:
    """Make olah resolve a branch or tag name (and the newest commit) through the local git repositories when its
    proxy cache does not know it (olah 0.5.4, offline mode), so a file missing from a repository answers 404, not
    401, and ``model_info`` works without a revision.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    from olah.utils import repo_utils

    by_name, newest = repo_utils.get_commit_hf_offline, repo_utils.get_newest_commit_hf_offline

    async def get_commit_hf_offline(app, repo_type, org, repo, commit):
        sha = await by_name(app, repo_type, org, repo, commit)
        return sha if sha is not None else local_commit(app, repo_type, org, repo, commit)

    async def get_newest_commit_hf_offline(app, repo_type, org, repo):
        sha = local_commit(app, repo_type, org, repo, "HEAD")
        return sha if sha is not None else await newest(app, repo_type, org, repo)

    repo_utils.get_commit_hf_offline = get_commit_hf_offline
    repo_utils.get_newest_commit_hf_offline = get_newest_commit_hf_offline


def patch_missing_file_answer() -> None:
    """Make olah's 404 for a file missing from a local repository carry the commit (``X-Repo-Commit``), as the hub's
    does: huggingface_hub then records the file as absent in its cache (``.no_exist/<commit>/<file>``), and a later
    offline load does not fail looking for it (olah 0.5.4 sends no commit with that 404).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    from olah import server_file_routes

    def with_commit(original):
        async def answer(app, *, repo_type, org, repo, commit, file_path, request):
            response = await original(
                app, repo_type=repo_type, org=org, repo=repo, commit=commit, file_path=file_path, request=request
            )
            if response.status_code == 404 and "x-repo-commit" not in response.headers:
                sha = local_commit(app, repo_type, org, repo, commit)
                if sha is not None:
                    response.headers["x-repo-commit"] = sha
            return response

        return answer

    server_file_routes.file_head_common = with_commit(server_file_routes.file_head_common)
    server_file_routes.file_get_common = with_commit(server_file_routes.file_get_common)


def patch_chunk_size(size: int = 1 << 20) -> None:
    """Send a local repository's file in chunks of ``size`` bytes instead of olah 0.5.4's 4 KiB ones (each chunk is
    one trip through the web server: a 500 MB file took about a minute on two busy cores).

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    from olah.mirror.repos import LocalMirrorRepo

    original = LocalMirrorRepo.get_file

    def get_file(self, commit_hash: str, path: str):
        small = original(self, commit_hash, path)
        if small is None:
            return None

        def larger():
            buffer = []
            filled = 0
            for chunk in small:
                buffer.append(chunk)
                filled += len(chunk)
                if filled >= size:
                    yield b"".join(buffer)
                    buffer, filled = [], 0
            if buffer:
                yield b"".join(buffer)

        return larger()

    LocalMirrorRepo.get_file = get_file


def serve(dest: Path, port: int, host: str, state: Path) -> None:
    """Run olah in this process (the foreground of ``make hub``), with :func:`patch_branch_lookup` applied.

    Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached").
    """
    hub = LocalHub(dest, port=port, host=host, state=state)
    hub.check()
    config = hub.write_config()
    patch_branch_lookup()
    patch_missing_file_answer()
    patch_chunk_size()
    from olah import server

    print(f"local hub: serving {hub.dest} at {hub.endpoint} (pid {os.getpid()}); Ctrl-C stops it", flush=True)
    print(f"local hub: export HF_ENDPOINT={hub.endpoint}", flush=True)
    sys.argv = ["olah-cli", "--config", str(config), "--log-path", str(state / "logs")]
    server.main()


def main(argv: list[str] | None = None) -> int:
    """Used by the helpers of chapter 1 (``book/01_installation_and_caching.ipynb``, "Where models are cached")."""
    parser = argparse.ArgumentParser(prog="python -m helpers.local_hub", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="serve the repositories exported under DIR until stopped")
    s.add_argument("dest", type=Path)
    s.add_argument("--port", type=int, default=8090)
    s.add_argument("--host", default=HOST)
    s.add_argument("--state", type=Path, default=None, help="olah's cache, config and logs (default: DIR/.olah)")
    args = parser.parse_args(argv)
    try:
        serve(args.dest.resolve(), args.port, args.host, (args.state or args.dest / ".olah").resolve())
    except HubRepoError as err:
        print(f"local hub: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
