"""Browser fixtures: Debian's Chromium driven by Playwright, kept off the network.

Never run ``playwright install``: the tests use the system Chromium at ``/usr/bin/chromium``. When
it is missing the tests fail in CI (``CI=true``; ``.ci/run`` installs it) and skip elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.e2e.servers import QAServer, host_page, ingest_seed, run_host_site, run_qa_server
from tests.e2e.slow_stream import SlowStream, run_slow_stream

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "e2e"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
    "--no-default-browser-check",
]
ANSWER_TIMEOUT_MS = 90_000  # retrieval with the real model on a busy machine


@dataclass(frozen=True)
class Site:
    """The running API plus the host site (another origin) that embeds the widget."""

    api: QAServer
    host_origin: str
    pages: dict[str, str] = field(repr=False)

    @property
    def base_url(self) -> str:
        return self.api.base_url


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message + "; .ci/run installs it before `make test`", pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="package")  # server and browsers stop when tests/e2e is done
def site(tmp_path_factory: pytest.TempPathFactory, chromium_executable: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("e2e")
    ingest_seed(root / "chroma", root / "ingest.log")
    with (
        run_host_site() as (host_origin, pages),
        run_qa_server(root / "chroma", root / "server.log", cors_origin=host_origin) as api,
    ):
        pages["/embed.html"] = host_page(api.base_url, target="#qa")
        pages["/floating.html"] = host_page(api.base_url, target=None)
        yield Site(api=api, host_origin=host_origin, pages=pages)


@pytest.fixture(scope="package")
def slow_stream() -> Iterator[SlowStream]:
    with run_slow_stream() as stream:
        yield stream


@pytest.fixture(scope="package")
def playwright_driver(chromium_executable: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


def launch(playwright: Any, profile: Path, **context: Any) -> Any:
    """A persistent context gives each browser its own fresh, explicit temp profile directory."""
    return playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=LAUNCH_ARGS,
        headless=True,
        **context,
    )


@pytest.fixture(scope="package")
def desktop(playwright_driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    browser = launch(
        playwright_driver,
        tmp_path_factory.mktemp("chromium-profile"),
        viewport={"width": 1100, "height": 860},
        locale="en-US",
    )
    yield browser
    browser.close()


@dataclass
class PageWatch:
    """Uncaught page errors and CSP violations: either one fails the test."""

    errors: list[str] = field(default_factory=list)

    def console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"page error: {error}")


def watched_page(context: Any) -> tuple[Any, PageWatch]:
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = PageWatch()
    page.on("console", watch.console)
    page.on("pageerror", watch.page_error)
    return page, watch


@pytest.fixture()
def page(desktop: Any) -> Iterator[Any]:
    page, watch = watched_page(desktop)
    yield page
    page.close()
    assert not watch.errors, watch.errors


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
