"""Shared by the players' browser tests: Debian's Chromium under Playwright, headless, with
every page error and every request recorded; and the skip-or-fail rule for missing tools
(skipped on a laptop without them, a failure in CI, where .ci/install provides them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing(what: str) -> None:
    """Skip (or, in CI, fail) for a tool the test needs."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/install installs it)")
    pytest.skip(f"{what} is not available")


def require_dot() -> None:
    """Graphviz's ``dot`` lays the players' graphs out."""
    if shutil.which("dot") is None:
        missing("Graphviz's dot")


def browser_page(width: int = 1400, height: int = 800) -> Iterator[Any]:
    """A Playwright page in headless Chromium; ``page.errors`` collects JavaScript errors and
    ``page.requests`` the URL of every request the page makes."""
    require_dot()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("python playwright")
    if not Path(CHROMIUM).exists():
        missing("Debian's chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": width, "height": height})
        errors: list[str] = []
        requests: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("request", lambda r: requests.append(r.url))
        pg.errors = errors
        pg.requests = requests
        yield pg
        browser.close()
