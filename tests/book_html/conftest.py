"""Fixtures of the browser check of the built HTML book (``make check-html``, the last stage of ``make test``).

These tests need the built book (``_build/html``: both editions) and Debian's chromium, so ``pytest tests/``
(``make unit``) skips this folder unless ``HFBOOK_CHECK_HTML=1`` (the ``check-html`` target sets it). Other variables:
``HFBOOK_HTML`` (the HTML folder), ``HFBOOK_TOC`` (the ``_toc.yml`` it was built from), ``HFBOOK_SCREENSHOTS``
(where the screenshot goes, default ``_build/screenshots``), ``CHROMIUM`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import CHROMIUM, CHROMIUM_FLAGS, HTML

if os.environ.get("HFBOOK_CHECK_HTML") != "1":
    collect_ignore_glob = ["test_*.py"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output clean
        pass

    def send_error(self, code, message=None, explain=None):
        """A missing page gets the site's 404.html, as GitHub Pages answers."""
        page = HTML / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="session")
def site():
    """The built HTML served on 127.0.0.1 (a free port) by http.server in a thread; yields the base URL."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first (or set HFBOOK_HTML)")
    handler = functools.partial(_Quiet, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (never a browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `sudo apt-get install -y chromium fonts-noto-cjk` "
            "(make check-html does it as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield b
        b.close()


class Visit:
    """One page opened in a fresh browser page, with the console errors, page errors, failed local requests, and the
    requests to other hosts (answered with an empty stub: the test machine has no internet, a reader does)."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        self.page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or urlsplit(url).scheme in {"data", "blob"}:
            route.continue_()
        else:
            self.external.append(url)
            kind = {"script": "application/javascript", "stylesheet": "text/css"}
            route.fulfill(status=200, body="", content_type=kind.get(route.request.resource_type, "text/plain"))

    def open(self, path: str):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, f"{path}: {response and response.status}"
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        self.page.close()


@pytest.fixture
def visit(browser, site):
    visits = []

    def make() -> Visit:
        v = Visit(browser, site)
        visits.append(v)
        return v

    yield make
    for v in visits:
        v.close()
