"""Headless Chromium against the real app, served on a loopback port.

One browser for the package (launching Chromium is the slow part), a new context
(cookies, storage) per test. Debian's chromium is driven through Playwright's
Python package; Playwright's own browser downloads are never used. axe-core comes
from npm (`npm ci`, package-lock.json) and is injected with the page's CSP bypassed.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.pages import AXE_JS, CHROMIUM, Checker
from tests.factories import QUIZ, write_module, write_program
from tests.smtp import smtp_server  # noqa: F401 - the fixture, shared with other packages


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def missing_tools() -> str | None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        return f"{CHROMIUM} is missing: .ci/run installs Debian's chromium"
    if not AXE_JS.exists():
        return f"{AXE_JS} is missing: run `npm ci` (make test does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is missing: pip install -r requirements-dev.txt"
    return None


@pytest.fixture(scope="package")
def chromium():
    """One headless Chromium for the browser tests, closed after the last one."""
    reason = missing_tools()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def content_dir(tmp_path):
    """The test module with its whole pool drawn on every attempt, so the answers are known."""
    root = tmp_path / "content"
    write_module(root, attempts=3, questions_per_attempt=len(QUIZ))
    write_program(root)
    return root


@pytest.fixture
def live_server(app, smtp_server) -> Iterator[str]:  # noqa: F811 - the fixture imported above
    """The app on a free loopback port, with CSRF checked as in production."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config.update(WTF_CSRF_ENABLED=True, LMS_BASE_URL=url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


RESULTS: dict[str, dict] = {}


@pytest.fixture
def browse(chromium, live_server) -> Iterator[Checker]:
    """A fresh browser context on the live server, and the page checks (axe, 320 px)."""
    context = chromium.new_context(
        base_url=live_server,
        bypass_csp=True,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    try:
        yield Checker(context.new_page(), RESULTS)
    finally:
        context.close()


def pytest_sessionfinish(session):
    """With LMS_BROWSER_REPORT=<file>, write what axe and the 320 px check found on each page."""
    target = os.environ.get("LMS_BROWSER_REPORT")
    if target and RESULTS:
        Path(target).write_text(json.dumps(RESULTS, indent=2, sort_keys=True) + "\n")
