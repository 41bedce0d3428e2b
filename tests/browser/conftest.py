"""A real browser against the app started as `make run` starts it (see harness.py).

Debian's chromium (/usr/bin/chromium) driven by Playwright; `playwright install` is never
needed. Without chromium the tests skip, saying how to get it (`make test` installs it when
it runs as root). Screenshots go to docs/screenshots/ with CAPTURE_SCREENSHOTS=1.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    Person,
    Stack,
    chromium_missing,
    sign_in_page,
)

# Twice Twilio's pace, and a second a turn of hold music: a greeting and a menu take a few
# seconds instead of ten. A message is as long as its words take to say (the emulator trims
# the silence): the shortest a test leaves (test_console's, 12 words) lasts 2.4 s, still
# over VOICEMAIL_MIN_SECONDS and Twilio's 2 s for a transcription.
PACE = {"words_per_minute": 300.0, "play_seconds": 1.0}

PEOPLE = (
    Person("alice", "Alice Martin", departments=("support", "sales")),
    Person("bob", "Bob Okafor", departments=("support",)),
    Person("sam", "Sam Reyes", role="supervisor", departments=()),
)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    with Stack(tmp_path_factory.mktemp("browser-stack"), PEOPLE, **PACE) as running:
        yield running
        # The app's REST requests in the browser stories, held to Twilio's OpenAPI description.
        broken = running.sim("GET", "/conformance")["violations"]
        assert not broken, f"REST requests that broke Twilio's OpenAPI description: {broken}"


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per session: a second `sync_playwright()` while one runs is refused."""
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(stack: Stack, playwright):
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def sign_in(stack: Stack, browser) -> Iterator[Callable]:
    """`sign_in("alice")` -> a page in its own browser context, signed in, on the console."""
    contexts = []
    identities: list[str] = []

    def open_page(identity: str, landing: str = "**/console"):
        identities.append(identity)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in_page(page, stack.url, identity, landing)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A closed tab ends its Voice SDK calls on Twilio, the agent's persistent line among
    # them; the emulated softphone lives in the emulator, not the page, so the tab's close is
    # played there. Without it a line outlives its console, and the next test's offers to
    # that agent go to a console nobody has open (docs/emulator.md, "Known gaps").
    for identity in identities:
        # HTTPError: this person never had a softphone (a supervisor's page).
        with contextlib.suppress(requests.HTTPError):
            stack.sim("POST", f"/softphones/{identity}/close-tab")


@pytest.fixture
def screenshot() -> Callable:
    """Save a screenshot of `page` as docs/screenshots/<name>.png (CAPTURE_SCREENSHOTS=1)."""
    folder = ROOT / "docs" / "screenshots"

    def take(page, name: str) -> Path | None:
        if os.environ.get("CAPTURE_SCREENSHOTS") != "1":
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take
