"""Fixtures for the emulator's tests: an emulator bound to a small Flask app, in virtual time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from flask import Flask

from sim.emulator import Emulator
from sim.testing import emulator_for
from tests.sim.apps import ACCOUNT_SID, AUTH_TOKEN, BASE, NUMBER, Handler, hits, make_app

Build = Callable[..., tuple[Emulator, Flask]]


@pytest.fixture
def sim() -> Iterator[Build]:
    """`emu, app = sim({"/ivr/incoming": "<Response>...</Response>", ...})`.

    At teardown the test fails if any webhook failed or a caller heard an application error
    (set `emu.expect_errors = True` in tests about failures), or if any request reached the
    app without a valid signature.
    """
    stack = ExitStack()
    apps: list[Flask] = []

    def build(routes: dict[str, Handler], **kw: Any) -> tuple[Emulator, Flask]:
        app = make_app(routes)
        apps.append(app)
        kw.setdefault("voice_path", "/ivr/incoming")
        emu = stack.enter_context(emulator_for(
            app, public_base_url=BASE, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,
            number=NUMBER, **kw))
        return emu, app

    with stack:
        yield build
    for app in apps:
        bad = [h for h in hits(app) if not h.valid]
        assert not bad, f"requests with invalid signatures: {bad}"
