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
SDK (which sends Twilio its SDP answer), clears when Twilio hangs up (ring mode), tells the
agent when Twilio refuses the token, and, in line mode, opens the agent's persistent line
through the SDK and shows it up, then down. Not proven here: real media and Twilio's
servers themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Person,
    Stack,
    chromium_missing,
    sign_in_page,
)
from tests.conftest import sign

ACCOUNT_SID = "AC" + "1" * 32
API_KEY = "SK" + "2" * 32
API_SECRET = "live-mode-test-api-secret"
TWIML_APP_SID = "AP" + "3" * 32
SIGNALLING = re.compile(r"^wss://[^/]*twilio\.com/signal")
INTERNET = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")
CALL_SID = "CA" + "4" * 32
LINE_SID = "CA" + "5" * 32


AUTH_TOKEN = "live-mode-test-auth-token"


def _live(tmp_path_factory: pytest.TempPathFactory, ring_mode: str) -> Iterator[Stack]:
    reason = chromium_missing()
    if reason:
        pytest.skip(reason)
    overrides = {"TWILIO_MODE": "live", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                 "TWILIO_API_KEY": API_KEY, "TWILIO_API_SECRET": API_SECRET,
                 "TWILIO_TWIML_APP_SID": TWIML_APP_SID,
                 # Live mode refuses the public development secrets (config/settings.py).
                 "SECRET_KEY": "live-mode-test-secret-key",
                 "ADMIN_API_TOKEN": "live-mode-test-admin-token",
                 "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                 "AGENT_RING_MODE": ring_mode}
    people = (Person("alice", "Alice Martin", departments=("support",)),)
    with Stack(tmp_path_factory.mktemp(f"live-{ring_mode}"), people,
               env_overrides=overrides) as stack:
        yield stack


@pytest.fixture(scope="module")
def live_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Ring mode (agents rung by API, docs/queue.md): going available needs no line, and an
    offer is Twilio's invite to the Device, which the ringing test plays."""
    yield from _live(tmp_path_factory, "ring")


@pytest.fixture(scope="module")
def line_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Line mode, the default: going available first opens the agent's persistent line."""
    yield from _live(tmp_path_factory, "line")


@pytest.fixture(scope="module")
def live_browser(playwright):
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


def twilio_posts(stack: Stack, url: str, form: dict[str, str]) -> ET.Element:
    """Twilio's signed webhook to the app; the TwiML it answers, parsed."""
    response = requests.post(url, data=form, timeout=10,
                             headers={"X-Twilio-Signature": sign(url, form, AUTH_TOKEN)})
    assert response.status_code == 200, response.text
    return ET.fromstring(response.text)


def test_live_console_opens_the_agents_line_through_the_sdk(line_stack: Stack,
                                                            live_browser) -> None:
    """Line mode, live: going available places the line through the real SDK (an outgoing
    call with Line=open); Twilio asks the TwiML App's voice URL, which parks it in the
    agent's room, and answers the browser; the console shows the line and waits for a call.
    When Twilio ends the line the console says so and the agent is away."""
    from playwright.sync_api import expect

    gateway = FakeGateway()
    context, page = open_console(line_stack, live_browser, gateway)
    try:
        softphone = page.get_by_test_id("softphone")
        expect(softphone).to_contain_text("Twilio · ready")
        page.get_by_test_id("go-available").click()

        # The SDK's outgoing call reaches Twilio's signalling: an invite with the line's param.
        deadline = time.monotonic() + 10
        while not gateway.messages("invite"):
            assert time.monotonic() < deadline, "the console never placed its line"
            page.wait_for_timeout(100)  # Playwright runs the gateway's handlers meanwhile
        invite = gateway.messages("invite")[-1]["payload"]
        assert invite["twilio"]["params"] == "Line=open"
        assert invite["sdp"].startswith("v=0")

        # Twilio asks the TwiML App's voice URL: the line is parked in Alice's own room.
        form = {"CallSid": LINE_SID, "AccountSid": ACCOUNT_SID, "ApplicationSid": TWIML_APP_SID,
                "From": "client:alice", "To": "", "Direction": "inbound",
                "CallStatus": "ringing", "ApiVersion": "2010-04-01", "Line": "open"}
        room = twilio_posts(line_stack, f"{line_stack.url}/softphone/outgoing", form)
        dial = room.find("Dial")
        assert dial is not None and dial.find("Conference") is not None, ET.tostring(room)

        # ... and answers the browser's offer (an SDP answer made by a peer in the page, as
        # Twilio's media server would): the SDK's call is open, with the line's CallSid.
        answer_sdp = page.evaluate("""async (offer) => {
            const pc = new RTCPeerConnection();
            await pc.setRemoteDescription({type: "offer", sdp: offer});
            const answer = await pc.createAnswer();
            await pc.setLocalDescription(answer);
            window.__twilioSide = pc;
            return answer.sdp;
        }""", invite["sdp"])
        gateway.send("answer", {"callsid": LINE_SID, "sdp": answer_sdp})
        line = page.get_by_test_id("line-state")
        expect(line).to_have_text("Line · connected")
        expect(page.get_by_test_id("agent-state")).to_have_text("Available")
        expect(softphone).to_contain_text("Waiting for a call")
        me = page.evaluate("() => fetch('/api/agents/me').then(r => r.json())")
        assert me["line"]["sid"] == LINE_SID and me["line"]["state"] == "connected"

        # Twilio ends the line (the network took it): the SDK hears the hangup, and the
        # line's <Dial> action tells the app, which puts Alice away.
        gateway.send("hangup", {"callsid": LINE_SID})
        ended = dict(form, CallStatus="completed", DialCallStatus="completed")
        twilio_posts(line_stack, dial.get("action"), ended)
        expect(line).to_have_text("Line · down")
        expect(page.get_by_test_id("agent-state")).to_have_text("Away")
    finally:
        context.close()
