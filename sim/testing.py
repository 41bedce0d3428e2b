"""Helpers for tests: an emulator bound to a Flask app, a real twilio Client pointed at it,
and a teardown that fails the test loudly if a caller heard an application error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from twilio.rest import Client

from sim.clock import VirtualClock
from sim.emulator import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, Emulator
from sim.http_client import LocalTwilioHttpClient
from sim.transport import WsgiTransport


@contextmanager
def emulator_for(
    flask_app: Any,
    *,
    public_base_url: str = "http://127.0.0.1:5000",
    account_sid: str = DEFAULT_ACCOUNT_SID,
    auth_token: str = DEFAULT_AUTH_TOKEN,
    number: str | None = "+15005550006",
    voice_path: str = "/ivr/incoming",
    fallback_path: str | None = "/ivr/fallback",
    status_path: str | None = "/ivr/status",
    freezer: Any = None,
    strict: bool = True,
    **options: Any,
) -> Iterator[Emulator]:
    """An emulator that delivers webhooks into `flask_app` in-process, signed for URLs under
    `public_base_url`, with its REST server running. At exit it stops, and (with `strict`)
    raises AssertionError if any application error, webhook failure or engine error happened,
    unless the test set `emu.expect_errors = True`, or if any REST request broke Twilio's
    OpenAPI description, unless it set `emu.conformance.expect_violations = True`."""
    emu = Emulator(account_sid, auth_token, clock=VirtualClock(freezer=freezer),
                   transport=WsgiTransport(flask_app), **options)
    base = public_base_url.rstrip("/")
    if number:
        emu.add_number(number, base + voice_path,
                       fallback_url=base + fallback_path if fallback_path else None,
                       status_callback=base + status_path if status_path else None)
    emu.start_rest_server()
    try:
        yield emu
    finally:
        emu.stop()
    if strict and not emu.expect_errors:
        emu.assert_no_application_errors()
    if strict and not emu.conformance.expect_violations:
        emu.conformance.assert_clean()


def twilio_client(emu: Emulator, **kwargs: Any) -> Client:
    """The real twilio-python Client, talking to the emulator's REST server."""
    if emu.base_url is None:
        emu.start_rest_server()
    assert emu.base_url is not None
    return Client(emu.account_sid, emu.auth_token,
                  http_client=LocalTwilioHttpClient(emu.base_url, **kwargs))


def assert_heard(party: Any, text: str) -> None:
    """Assert a party (or call handle) heard `text` (case-insensitive), with its transcript
    in the failure message."""
    if not party.has_heard(text):
        lines = "\n".join(party.transcript())
        raise AssertionError(f"{party!r} never heard {text!r}; it heard:\n{lines}")


def assert_not_heard(party: Any, text: str) -> None:
    if party.has_heard(text):
        lines = "\n".join(party.transcript())
        raise AssertionError(f"{party!r} heard {text!r}:\n{lines}")
