"""Fixtures of the browser tests: the built site served on 127.0.0.1, and headless Chromium.

`make test` runs these after `make html` (the Makefile's test-site target). Each page is
visited once (the `visits` fixture), and the tests assert on what that visit recorded.
Chromium is Debian's `chromium` package at /usr/bin/chromium ($CHROMIUM overrides), driven
by Playwright with that executable: no browser is ever downloaded. Without it, the browser
tests are skipped and the summary says why; the tests that only read the built files (page
weight, launch buttons) still run.

Run them in one process (no -n): with pytest-xdist each worker would visit the pages of
its own tests again (`--dist loadgroup` cannot keep a page's tests together: xdist 3.8
renames test ids in a way pytest 9.2 ignores).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest
import sitecheck


def chromium_path() -> tuple[str | None, str]:
    """The Chromium executable, or None and why not."""
    wanted = os.environ.get("CHROMIUM", sitecheck.CHROMIUM)
    if Path(wanted).is_file() and os.access(wanted, os.X_OK):
        return wanted, ""
    return None, (f"Chromium not found at {wanted}: browser tests skipped (install Debian's "
                  f"`chromium` package, as .ci/run does, or set CHROMIUM=/path/to/chromium)")


def _is_controller(config) -> bool:
    """True in a plain pytest run, and in the xdist controller (not in its workers)."""
    return not hasattr(config, "workerinput")


def pytest_sessionstart(session):
    # Screenshots of this run only (removed once, by the xdist controller if there is one).
    if _is_controller(session.config) and chromium_path()[0]:
        for old in [*sitecheck.SCREENSHOTS.glob("*.png"), *sitecheck.SCREENSHOTS.glob("*.jpg")]:
            old.unlink()


@pytest.fixture(scope="session")
def site() -> Path:
    if not (sitecheck.SITE / sitecheck.PAGES[0]).is_file():
        pytest.skip(f"no built site in {sitecheck.SITE}: run `make html` first (make test does)")
    return sitecheck.SITE


@pytest.fixture(scope="session")
def base_url(site):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # quiet: failures are reported by the tests
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    executable, reason = chromium_path()
    if executable is None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=sitecheck.LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def visits(browser, base_url):
    """`visits(page)`: the page's Visit, made on first use (one browser visit per page)."""
    cache: dict[str, sitecheck.Visit] = {}
    failures: dict[str, Exception] = {}

    def get(page: str) -> sitecheck.Visit:
        if page in failures:  # a visit that broke (a timeout, say) is not tried again
            raise failures[page]
        if page not in cache:
            try:
                cache[page] = sitecheck.visit(browser, base_url, page)
            except Exception as error:
                failures[page] = error
                raise
        return cache[page]

    return get


@pytest.fixture(scope="session")
def page_weights(site) -> dict[str, dict]:
    return {page: sitecheck.page_weight(page, site) for page in sitecheck.PAGES}


# --- after the tests (in the controller): the page weights, printed and written to
# _build/page_weights.json; where the screenshots are; a banner if Chromium was missing


def pytest_terminal_summary(terminalreporter, config):
    if not _is_controller(config):
        return
    if (sitecheck.SITE / sitecheck.PAGES[0]).is_file():
        weights = {page: sitecheck.page_weight(page) for page in sitecheck.PAGES
                   if (sitecheck.SITE / page).is_file()}
        report = {"limit_bytes": int(sitecheck.MAX_PAGE_BYTES), "pages": weights}
        sitecheck.WEIGHTS_JSON.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        terminalreporter.section("page weights")
        terminalreporter.write_line(sitecheck.weight_table(weights))
        terminalreporter.write_line(f"written to {sitecheck.WEIGHTS_JSON}")
    executable, reason = chromium_path()
    if executable is None:
        terminalreporter.section("browser tests skipped", yellow=True, bold=True)
        terminalreporter.write_line(reason, yellow=True, bold=True)
    elif sitecheck.SCREENSHOTS.is_dir():
        shots = len([*sitecheck.SCREENSHOTS.glob("*.png"), *sitecheck.SCREENSHOTS.glob("*.jpg")])
        terminalreporter.write_line(f"{shots} screenshots in {sitecheck.SCREENSHOTS}/")
