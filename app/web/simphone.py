"""The browser softphone against the offline emulator (TWILIO_MODE=emulator).

In live mode the console's softphone is Twilio's Voice SDK. Offline there is no Twilio to
register with, so the console asks this module, which asks the emulator's control API
(`/_sim/softphones/...`) for the signed-in agent's own softphone only: the identity always
comes from the session, never from the browser.
"""

from __future__ import annotations

from typing import Any

import requests

from app.errors import DomainError, NotFound
from config import app_settings

ACTIONS = ("answer", "reject", "hangup")
TIMEOUT = 5


class EmulatorUnavailable(DomainError):
    error_id = "emulator_unavailable"
    status = 502


def enabled() -> bool:
    return app_settings().TWILIO_MODE != "live"


def _base() -> str:
    return app_settings().TWILIO_API_BASE_URL.rstrip("/") + "/_sim"


def _call(method: str, path: str, body: dict[str, Any] | None = None,
          timeout: float = TIMEOUT) -> dict[str, Any]:
    if not enabled():
        raise NotFound("The browser softphone for the emulator is off: TWILIO_MODE is live.")
    try:
        response = requests.request(method, _base() + path, json=body, timeout=timeout)
    except requests.RequestException as exc:
        raise EmulatorUnavailable("The emulator does not answer; is `make run` running?",
                                  reason=str(exc)) from None
    data = response.json() if response.content else {}
    if response.status_code >= 400:
        message = data.get("error") if isinstance(data.get("error"), str) else None
        raise DomainError(message or "The emulator refused.", error_id="softphone_refused",
                          status=409 if response.status_code == 409 else 400)
    return data


def register(identity: str) -> dict[str, Any]:
    """Put the agent's softphone online (the emulator then rings it on offers)."""
    return _call("POST", "/softphones", {"identity": identity})


def unregister(identity: str) -> dict[str, Any]:
    return _call("DELETE", f"/softphones/{identity}")


def act(identity: str, action: str, call_sid: str | None = None) -> dict[str, Any]:
    if action not in ACTIONS:
        raise NotFound("Unknown softphone action.", action=action, allowed=list(ACTIONS))
    body = {"call_sid": call_sid} if call_sid else {}
    return _call("POST", f"/softphones/{identity}/{action}", body)


def place_call(identity: str, to: str) -> dict[str, Any]:
    """The agent's softphone calls `to` through the TwiML App (`/softphone/outgoing` decides
    where it goes), as the Voice SDK's `device.connect({params: {To}})` does live."""
    return _call("POST", f"/softphones/{identity}/calls", {"to": to})


def open_line(identity: str) -> dict[str, Any]:
    """The agent's persistent line: the softphone calls the TwiML App with `Line=open` (the
    Voice SDK's `device.connect({params: {Line: "open"}})` live), and the app parks it in the
    agent's own room until an offer is accepted (docs/queue.md, "The agent's line")."""
    return _call("POST", f"/softphones/{identity}/calls", {"to": "", "params": {"Line": "open"}})


def status(identity: str, since: int) -> dict[str, Any]:
    """What the softphone heard since `since` (transcript lines), whether it rings, its call."""
    return _call("GET", f"/parties/client:{identity}/events?since={int(since)}&wait=0",
                 timeout=2)
