"""The emulator's control API (`/_sim/...`, docs/emulator.md), as the test phone uses it.

Only in offline mode: the emulator listens on TWILIO_API_BASE_URL (loopback, no auth). The
browser never talks to it directly: the page calls the app, which calls here, so the page
needs no cross-origin access and works wherever the app is served from.
"""

from __future__ import annotations

from typing import Any

import requests

from app.errors import DomainError, InvalidInput, NotFound

ACTIONS = ("press", "say", "hangup")
TIMEOUT = 5.0


class EmulatorUnavailable(DomainError):
    error_id = "emulator_unavailable"
    status = 502


class EmulatorControl:
    def __init__(self, base_url: str, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = session or requests.Session()

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        url = f"{self.base_url}/_sim{path}"
        try:
            response = self.http.request(method, url, json=body, timeout=TIMEOUT)
        except requests.RequestException as exc:
            raise EmulatorUnavailable(
                "The Twilio emulator is not answering. Is `make run` running?",
                url=self.base_url, reason=str(exc)) from None
        data = response.json() if response.content else {}
        if response.status_code == 404:
            raise NotFound(data.get("error") or "The emulator does not know that.", path=path)
        if response.status_code >= 400:
            raise InvalidInput(data.get("error") or "The emulator refused that.",
                               status=409 if response.status_code == 409 else 400)
        return data

    def dial_in(self, from_: str, to: str | None = None) -> dict[str, Any]:
        body = {"from": from_}
        if to:
            body["to"] = to
        return self._request("POST", "/calls", body)

    def call(self, call_sid: str) -> dict[str, Any]:
        return self._request("GET", f"/calls/{call_sid}")

    def act(self, call_sid: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action not in ACTIONS:
            raise InvalidInput("Unknown action.", allowed=list(ACTIONS))
        return self._request("POST", f"/calls/{call_sid}/{action}", body)
