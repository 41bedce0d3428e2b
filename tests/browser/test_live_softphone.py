"""The console in live mode (TWILIO_MODE=live): Twilio's own Voice JavaScript SDK, in chromium.

There is no Twilio account here, so the one part of Twilio the browser talks to, the Voice
SDK's signalling WebSocket (`wss://*.twilio.com/signal`), is answered by a small gateway in
this test (Playwright's `route_web_socket`), speaking the SDK's signalling messages
(`listen` -> `connected`, `register` -> `ready`, `invite`, `answer`, `hangup`, `error`).
Everything else is real: the app started as `make run` starts it but live, the console page,
the SDK bundle the build vendors, the access token from `GET /api/agents/me/token`, and the
SDK's WebRTC offer/answer in chromium (fake audio devices). Every other request to the
internet is refused, so nothing leaves the machine.

What this proves: the token the console hands the SDK is one Twilio accepts (signed with the
API key's secret, the agent's identity, incoming allowed, the TwiML App for outgoing calls);
the console shows the softphone registered, rings on Twilio's invite, answers it through the
SDK (which sends Twilio its SDP answer), clears when Twilio hangs up, and tells the agent when
Twilio refuses the token. Not proven here: real media and Twilio's servers themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Person,
    Stack,
    chromium_missing,
    sign_in_page,
)

ACCOUNT_SID = "AC" + "1" * 32
API_KEY = "SK" + "2" * 32
API_SECRET = "live-mode-test-api-secret"
TWIML_APP_SID = "AP" + "3" * 32
SIGNALLING = re.compile(r"^wss://[^/]*twilio\.com/signal")
INTERNET = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
CALL_SID = "CA" + "4" * 32


@pytest.fixture(scope="module")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    overrides = {"TWILIO_MODE": "live", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                 "TWILIO_API_KEY": API_KEY, "TWILIO_API_SECRET": API_SECRET,
                 "TWILIO_TWIML_APP_SID": TWIML_APP_SID,
                 # Live mode refuses the public development secrets (config/settings.py).
                 "SECRET_KEY": "live-mode-test-secret-key",
                 "ADMIN_API_TOKEN": "live-mode-test-admin-token",
                 "TWILIO_AUTH_TOKEN": "live-mode-test-auth-token"}
    people = (Person("alice", "Alice Martin", departments=("support",)),)
    with Stack(tmp_path_factory.mktemp("live-stack"), people, env_overrides=overrides) as stack:
        yield stack


@pytest.fixture(scope="module")
def live_browser(live_stack: Stack, playwright):
    # Fake microphone, granted without a prompt: the SDK asks for audio on answer.
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield launched
    launched.close()


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(token: str) -> dict[str, Any]:
    """The claims of an HS256 JWT, after checking its signature with the API key's secret."""
    header, payload, signature = token.split(".")
    expected = hmac.new(API_SECRET.encode(), f"{header}.{payload}".encode(),
                        hashlib.sha256).digest()
    assert hmac.compare_digest(expected, _b64decode(signature)), "token not signed by our secret"
    assert json.loads(_b64decode(header)) == {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}
    return json.loads(_b64decode(payload))


class FakeGateway:
    """Twilio's signalling server as far as the Voice SDK needs it to register and take a call.

    `refuse_token` answers the SDK's `listen` with Twilio's error 31205 instead.
    """

    def __init__(self, refuse_token: bool = False) -> None:
        self.refuse_token = refuse_token
        self.received: list[dict[str, Any]] = []
        self.socket = None
        self.lock = threading.Lock()

    def handle(self, ws) -> None:
        self.socket = ws
        ws.on_message(lambda message: self._on_message(ws, message))

    def _on_message(self, ws, message: str | bytes) -> None:
        data = json.loads(message)
        with self.lock:
            self.received.append(data)
        kind, payload = data.get("type"), data.get("payload") or {}
        if kind == "listen":
            if self.refuse_token:
                ws.send(json.dumps({"type": "error", "payload": {"error": {
                    "code": 31205, "message": "JWT Token Expired"}}}))
                return
            claims = verified_claims(payload["token"])
            ws.send(json.dumps({"type": "connected", "payload": {
                "region": "us1", "edge": "ashburn", "home": "us1",
                "token": {"identity": claims["grants"]["identity"],
                          "ttl": claims["exp"] - int(time.time())}}}))
        elif kind == "register":
            ws.send(json.dumps({"type": "ready", "payload": {}}))

    def messages(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.received if m.get("type") == kind]

    def send(self, kind: str, payload: dict[str, Any]) -> None:
        assert self.socket is not None, "the SDK never opened its signalling socket"
        self.socket.send(json.dumps({"type": kind, "payload": payload}))


def open_console(live_stack: Stack, live_browser, gateway: FakeGateway):
    context = live_browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(20_000)
    context.route(INTERNET, lambda route: route.abort())
    context.route_web_socket(SIGNALLING, gateway.handle)
    page = context.new_page()
    sign_in_page(page, live_stack.url, "alice")
    return context, page


def test_live_console_registers_the_sdk_with_a_token_twilio_would_accept(live_stack: Stack,
                                                                        live_browser) -> None:
    from playwright.sync_api import expect

    gateway = FakeGateway()
    context, page = open_console(live_stack, live_browser, gateway)
    try:
        softphone = page.get_by_test_id("softphone")
        expect(softphone).to_contain_text("Twilio · ready")

        listens = gateway.messages("listen")
        assert listens, "the SDK never sent its token"
        claims = verified_claims(listens[-1]["payload"]["token"])
        assert claims["iss"] == API_KEY
        assert claims["sub"] == ACCOUNT_SID
        assert claims["grants"]["identity"] == "alice"
        voice = claims["grants"]["voice"]
        assert voice["incoming"] == {"allow": True}
        assert voice["outgoing"]["application_sid"] == TWIML_APP_SID
        assert claims["exp"] > time.time() + 600, "a token that expires within minutes"
        assert claims["jti"].startswith(API_KEY)
        assert gateway.messages("register")[-1]["payload"]["media"] == {"audio": True}
    finally:
        context.close()


def test_live_console_rings_answers_and_clears_a_twilio_call(live_stack: Stack,
                                                            live_browser) -> None:
    from playwright.sync_api import expect

    gateway = FakeGateway()
    context, page = open_console(live_stack, live_browser, gateway)
    try:
        softphone = page.get_by_test_id("softphone")
        expect(softphone).to_contain_text("Twilio · ready")
        page.get_by_test_id("go-available").click()
        expect(softphone).to_contain_text("Waiting for a call")

        # Twilio's invite carries the caller's SDP offer; a second peer connection in the page
        # makes a real one, as Twilio's media server would.
        offer_sdp = page.evaluate("""async () => {
            const pc = new RTCPeerConnection();
            pc.addTransceiver("audio", {direction: "sendrecv"});
            const offer = await pc.createOffer();
            await pc.setLocalDescription(offer);
            window.__twilioSide = pc;
            return offer.sdp;
        }""")
        gateway.send("invite", {"callsid": CALL_SID, "sdp": offer_sdp,
                                "parameters": {"CallSid": CALL_SID, "From": "+12025550143",
                                               "To": "client:alice", "AccountSid": ACCOUNT_SID}})
        ringing = page.get_by_test_id("ringing")
        expect(ringing).to_be_visible()

        page.get_by_test_id("answer").click()
        # The SDK answered through Twilio's signalling, for this call, with an SDP answer.
        expect(softphone).to_contain_text("On the line")
        answers = gateway.messages("answer")
        assert [a["payload"]["callsid"] for a in answers] == [CALL_SID]
        assert answers[0]["payload"]["sdp"].startswith("v=0")
        assert "m=audio" in answers[0]["payload"]["sdp"]

        gateway.send("hangup", {"callsid": CALL_SID})
        expect(softphone).not_to_contain_text("On the line")
        expect(ringing).to_have_count(0)
    finally:
        context.close()


def test_live_console_tells_the_agent_when_twilio_refuses_the_token(live_stack: Stack,
                                                                   live_browser) -> None:
    from playwright.sync_api import expect

    gateway = FakeGateway(refuse_token=True)
    context, page = open_console(live_stack, live_browser, gateway)
    try:
        softphone = page.get_by_test_id("softphone")
        expect(softphone).to_contain_text("Not connected")
        expect(softphone).to_contain_text(re.compile("expired", re.IGNORECASE))
    finally:
        context.close()
