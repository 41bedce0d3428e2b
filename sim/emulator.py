"""The emulator: configuration, parties, the clock-driven engine and the event log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim import calls
from sim.chaos import Chaos
from sim.clock import Clock, RealClock, VirtualClock, iso
from sim.conformance import Conformance
from sim.delivery import WebhookFaults
from sim.parties import CallHandle, Heard, Party, Phone, Softphone
from sim.scheduler import HungUp, Proc, Scheduler
from sim.state import Application, Call, Number, Store, new_sid
from sim.throttle import CallThrottle
from sim.transport import HttpTransport, Transport
from sim.webhooks import perform

DEFAULT_ACCOUNT_SID = "AC" + "0" * 32
DEFAULT_AUTH_TOKEN = "emulator-auth-token"


class Emulator:
    """Stands in for Twilio Voice: REST API, TwiML engine, and the people on the calls.

    With a `VirtualClock` nothing happens until the test calls `advance()` or `run_until()`;
    with a `RealClock` call `start()` and the engine runs in its own thread.
    """

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        clock: Clock | None = None,
        transport: Transport | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
        words_per_minute: float = 150.0,
        play_seconds: float = 5.0,
        answer_after: float = 2.0,
        api_base: str = "https://api.twilio.com",
        webhook_workers: int = 0,
        cps: float = 1.0,
        ring_buffer: float = 5.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.api_key, self.api_secret = api_key, api_secret
        self.clock: Clock = clock or VirtualClock()
        self.transport: Transport = transport or HttpTransport()
        self.words_per_minute = words_per_minute
        self.default_play_seconds = play_seconds
        self.default_answer_after = answer_after
        self.api_base = api_base.rstrip("/")
        # Real time only: webhooks concurrently on this many threads, each call's in order.
        self.webhook_workers = webhook_workers
        self.media_seconds: dict[str, float] = {}
        self.store = Store()
        self.parties: dict[str, Party] = {}
        self.players: dict[tuple[str, str], Proc] = {}
        self.events: list[dict[str, Any]] = []
        # Every REST request checked against Twilio's OpenAPI description (sim/conformance.py).
        self.conformance = Conformance()
        self.callback_chaos: dict[str, bool] = {}
        # Delivery (sim/delivery.py, sim/chaos.py): connections made to fail, and the order
        # callbacks arrive in.
        self.webhook_faults = WebhookFaults()
        self.chaos: Chaos | None = None
        self.expect_errors = False
        self.default_application_sid: str | None = None
        self._transcriptions: list[str] = []
        self._events_cond = threading.Condition()
        self._server: Any = None
        self._server_thread: threading.Thread | None = None
        self.base_url: str | None = None
        self.sched = Scheduler(self.clock, lambda f: perform(self, f), self._engine_error)
        # Twilio's account limits on API-created calls: CPS (1 unless the account buys more)
        # and the seconds it adds to their `Timeout` (sim/throttle.py, docs/emulator.md).
        self.throttle = CallThrottle(self, cps)
        self.ring_buffer = ring_buffer

    # -- configuration -------------------------------------------------------------------

    def add_number(self, phone_number: str, voice_url: str, *, voice_method: str = "POST",
                   fallback_url: str | None = None, fallback_method: str = "POST",
                   status_callback: str | None = None,
                   status_callback_method: str = "POST") -> Number:
        """An incoming number: calls to it request `voice_url` (and `fallback_url` on error)."""
        number = Number(phone_number, voice_url, voice_method, fallback_url, fallback_method,
                        status_callback, status_callback_method)
        with self.sched.lock:
            self.store.numbers[phone_number] = number
        return number

    def add_application(self, voice_url: str, *, sid: str | None = None,
                        voice_method: str = "POST", fallback_url: str | None = None,
                        status_callback: str | None = None) -> Application:
        """A TwiML App for softphones' outgoing calls (the first one added is the default)."""
        app = Application(voice_url, voice_method, fallback_url, "POST", status_callback)
        if sid:
            app.sid = sid
        with self.sched.lock:
            self.store.applications[app.sid] = app
            self.default_application_sid = self.default_application_sid or app.sid
        return app

    def set_cps(self, cps: float) -> None:
        """The account's calls-per-second limit on REST-created calls (Twilio: 1 unless
        raised in the console)."""
        with self.sched.lock:
            self.throttle.set_cps(cps)

    @property
    def cps(self) -> float:
        return self.throttle.cps

    def set_media_duration(self, url: str, seconds: float) -> None:
        """How long `<Play>` of `url` lasts (others last `play_seconds`)."""
        self.media_seconds[url] = seconds

    def set_callback_chaos(self, *, duplicate: bool = False, out_of_order: bool = False) -> None:
        """Deliver recording/transcription callbacks twice, or the transcription first."""
        self.callback_chaos = {"duplicate": duplicate, "out_of_order": out_of_order}

    def set_chaos(self, seed: int | None, **options: float) -> Chaos | None:
        """Deliver callbacks late, concurrently or twice, drawn from `seed` (None: in order).
        Options: `late`, `max_delay`, `duplicate`, `concurrent` (sim/chaos.py)."""
        self.chaos = None if seed is None else Chaos(seed, **options)
        return self.chaos

    def queue_transcription(self, text: str) -> None:
        """The text of the next transcription that no call has chosen its own for."""
        self._transcriptions.append(text)

    def take_transcription(self) -> str | None:
        return self._transcriptions.pop(0) if self._transcriptions else None

    # -- parties -------------------------------------------------------------------------

    def phone(self, number: str, *, answer_after: float | None = None,
              policy: str | None = None) -> Phone:
        """A PSTN number; when the app dials it, it answers after `answer_after` seconds
        (or acts out `policy`: answer, busy, no-answer, fail)."""
        with self.sched.lock:
            party = self.parties.get(number)
            if party is None:
                party = Phone(self, number, answer_after=self.default_answer_after)
                self.parties[number] = party
            if answer_after is not None:
                party.answer_after = answer_after
            if policy is not None:
                party.policy = policy
            return party  # type: ignore[return-value]

    def softphone(self, identity: str, *, online: bool = True,
                  answer_after: float | None = None, register: bool = True) -> Softphone:
        """A browser softphone `client:<identity>`, registered (online) unless told otherwise.
        `answer_after`: answer every incoming call after that many seconds."""
        address = f"client:{identity}"
        with self.sched.lock:
            party = self.parties.get(address)
            if party is None:
                party = Softphone(self, identity, answer_after=answer_after)
                party.online = online and register
                self.parties[address] = party
            elif register:
                party.online = online
                if answer_after is not None:
                    party.answer_after = answer_after
            return party  # type: ignore[return-value]

    def party(self, address: str) -> Party:
        return self.parties[address]

    # -- placing calls -------------------------------------------------------------------

    def new_call(self, *, from_: str, to: str, direction: str, party: Party | None,
                 parent_call_sid: str | None = None) -> Call:
        call = Call(new_sid("CA"), self.account_sid, from_, to, direction, self.clock.now(),
                    parent_call_sid=parent_call_sid, party=party)
        self.store.calls[call.sid] = call
        if party is not None:
            party.call_sids.append(call.sid)
        self.log("call_created", call_sid=call.sid, from_=from_, to=to, direction=direction,
                 parent_call_sid=parent_call_sid)
        return call

    def dial_in(self, from_: str, to: str, *, forwarded_from: str | None = None,
                caller_name: str | None = None) -> CallHandle:
        """A caller (`+E164`, `anonymous`, ...) dials one of our numbers."""
        with self.sched.lock:
            number = self.store.numbers.get(to)
            if number is None:
                raise KeyError(f"{to} is not one of the emulator's numbers (add_number)")
            party = self.phone(from_)
            call = self.new_call(from_=from_, to=to, direction="inbound", party=party)
            call.forwarded_from, call.caller_name = forwarded_from, caller_name
            call.phone_number_sid = number.sid
            call.fallback_url, call.fallback_method = number.fallback_url, number.fallback_method
            call.status_callback = number.status_callback
            call.status_callback_method = number.status_callback_method
            call.proc = self.sched.spawn(
                calls.inbound(self, call, number.voice_url, number.voice_method),
                f"call:{call.sid}")
        self.settle()
        return CallHandle(self, party, call.sid)

    def place_client_call(self, phone: Softphone, to: str, params: dict[str, str],
                          application_sid: str | None = None) -> CallHandle:
        """A softphone's outgoing call: POSTs the TwiML App's voice URL with the params."""
        with self.sched.lock:
            app_sid = application_sid or self.default_application_sid
            app = self.store.applications.get(app_sid or "")
            if app is None:
                raise KeyError("no TwiML App configured (add_application)")
            call = self.new_call(from_=phone.address, to=to, direction="inbound", party=phone)
            call.application_sid = app.sid
            call.extra_params = {"To": to, **params} if to else dict(params)
            call.fallback_url = app.fallback_url
            call.status_callback = app.status_callback
            call.proc = self.sched.spawn(
                calls.inbound(self, call, app.voice_url, app.voice_method), f"call:{call.sid}")
        self.settle()
        return CallHandle(self, phone, call.sid)

    def party_for(self, address: str) -> Party:
        if address.startswith("client:"):
            return self.softphone(address.removeprefix("client:"), register=False)
        return self.phone(address)

    # -- what parties do -----------------------------------------------------------------

    def party_input(self, party: Party, call_sid: str | None, kind: str, value: Any) -> None:
        if call_sid is None:
            raise RuntimeError(f"{party.address} is on no call")
        self.log("party_action", party=party.address, call_sid=call_sid, action=kind,
                 value=value if kind == "digits" else value[0])

        def deliver() -> Any:
            call = self.store.calls.get(call_sid)
            if call is None or call.ended:
                return None
            if kind == "speech":
                self._relay_speech(call, value[0])
            # A dialled party's keys and words never reach the caller's TwiML.
            proc = call.proc
            if proc is not None and proc.waiting is not None and kind in proc.waiting.wake:
                return self.sched._signal_now(proc, kind, value)
            self.log("input_ignored", call_sid=call_sid, action=kind, activity=call.activity)
            if kind == "digits":
                # As on Twilio, keys reach only a <Gather> (its prompt included): say so on the
                # caller's own transcript, or a phone shows a key pressed and then silence.
                self.hear(call, "ignored", text=str(value), source="line",
                          detail={"activity": call.activity})
            return None

        self.sched.post(deliver)
        self.settle()

    def _relay_speech(self, call: Call, text: str) -> None:
        from sim.conference import relay_speech

        if relay_speech(self, call, text):
            return
        other = self.store.calls.get(call.bridged_with or "")
        if other is not None and not other.ended:
            self.hear(other, "speech", text=text, source="line",
                      detail={"from": call.party.address if call.party else call.from_})

    def party_hangup(self, party: Party, call_sid: str | None) -> None:
        if call_sid is None:
            return
        if call_sid in party.ringing:
            self.party_answer(party, call_sid, False)
            return
        self.log("party_action", party=party.address, call_sid=call_sid, action="hangup")

        def hang_up() -> Any:
            call = self.store.calls.get(call_sid)
            if call is None or call.ended:
                return None
            if call.proc is not None and not call.proc.done:
                return self.sched._interrupt_now(call.proc, HungUp("party"))
            calls.finish(self, call)
            if call.owner is not None:
                return self.sched._signal_now(call.owner, "leg-hangup", call.sid)
            return None

        self.sched.post(hang_up)
        self.settle()

    def party_answer(self, party: Party, call_sid: str, accept: bool) -> None:
        self.log("party_action", party=party.address, call_sid=call_sid,
                 action="answer" if accept else "reject")
        self.sched.post(lambda: self._answer_now(party, call_sid, accept))
        self.settle()

    def _answer_now(self, party: Party, call_sid: str, accept: bool) -> Any:
        if call_sid not in party.ringing:
            return None
        party.ringing.remove(call_sid)
        call = self.store.calls[call_sid]
        target = call.owner or call.proc
        if target is None or target.waiting is None:
            return None
        return self.sched._signal_now(target, "answer" if accept else "reject", call_sid)

    def apply_answer_policy(self, party: Party, call: Call) -> None:
        if party.policy == "busy":
            self.sched.post(lambda: self._answer_now(party, call.sid, False), 1.0)
        elif party.policy == "answer" and party.answer_after is not None:
            self.sched.post(lambda: self._answer_now(party, call.sid, True), party.answer_after)

    # -- time ----------------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        return self.sched.now()

    @property
    def now(self) -> Any:
        return self.clock.now()

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass: every event due in that time happens, in order."""
        if self.clock.virtual:
            self.sched.run_virtual(self.sched.now() + seconds)
        else:
            time.sleep(seconds)

    def settle(self) -> None:
        """Run what is due right now (virtual time) so a party's action takes effect."""
        if self.clock.virtual and not self.sched.in_loop():
            self.sched.run_virtual(self.sched.now())

    def run_until(self, predicate: Callable[[], bool], timeout: float = 60.0) -> float:
        """Advance until `predicate()` holds; TimeoutError after `timeout` seconds.
        Returns the seconds that passed."""
        started = self.sched.now()
        if self.clock.virtual:
            ok = self.sched.run_virtual(started + timeout, stop=predicate)
        else:
            deadline = time.monotonic() + timeout
            while not (ok := predicate()) and time.monotonic() < deadline:
                time.sleep(0.02)
        if not ok:
            recent = [f"{e['t']:.1f} {e['type']}" for e in self.events[-15:]]
            raise TimeoutError(f"condition not met within {timeout} s; last events: {recent}")
        return self.sched.now() - started

    def start(self) -> Emulator:
        """Real-time mode: run due events in a background thread."""
        self.sched.start_realtime(self.webhook_workers)
        return self

    # -- sounds and URLs -----------------------------------------------------------------

    def say_seconds(self, text: str) -> float:
        words = max(len(text.split()), 1)
        return round(max(words * 60.0 / self.words_per_minute, 0.5), 3)

    def play_seconds(self, url: str) -> float:
        return self.media_seconds.get(url, self.default_play_seconds)

    def recording_url(self, sid: str) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"

    # -- transcripts and the event log ---------------------------------------------------

    def hear(self, call: Call, kind: str, **kw: Any) -> Heard:
        entry = Heard(round(self.sched.now(), 3), kind, call.sid, **kw)
        if call.party is not None:
            call.party.heard.append(entry)
            self.log("heard", party=call.party.address, **entry.as_dict())
        return entry

    def log(self, type_: str, **details: Any) -> dict[str, Any]:
        event = {"t": round(self.sched.now(), 3), "at": iso(self.clock.now()), "type": type_}
        event.update({k.rstrip("_"): v for k, v in details.items() if v is not None})
        with self._events_cond:
            event["seq"] = len(self.events)
            self.events.append(event)
            self._events_cond.notify_all()
        return event

    def wait_for_events(self, since: int, timeout: float) -> list[dict[str, Any]]:
        """Events from index `since`, waiting up to `timeout` (real) seconds for one."""
        with self._events_cond:
            if len(self.events) <= since:
                self._events_cond.wait(timeout)
            return list(self.events[since:])

    def write_log(self, path: str | Path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for event in list(self.events):
                fh.write(json.dumps(event, default=str) + "\n")

    def _engine_error(self, where: str, detail: str) -> None:
        self.log("engine_error", where=where, detail=detail)

    def errors(self, *, webhooks: bool = True) -> list[dict[str, Any]]:
        kinds = {"application_error", "engine_error"} | ({"webhook_error"} if webhooks else set())
        return [e for e in self.events if e["type"] in kinds]

    @property
    def application_errors(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == "application_error"]

    def assert_no_application_errors(self, *, webhooks: bool = True) -> None:
        """Fail if a caller heard "an application error has occurred" (or, with `webhooks`,
        if any webhook failed at all, even one a fallback URL rescued)."""
        problems = self.errors(webhooks=webhooks)
        if problems:
            lines = "\n".join(json.dumps(e, default=str)[:600] for e in problems)
            raise AssertionError(f"the emulator saw {len(problems)} error(s):\n{lines}")

    # -- lookups -------------------------------------------------------------------------

    def call(self, sid: str) -> Call:
        return self.store.calls[sid]

    def conference(self, name_or_sid: str) -> Any:
        """The live conference with that name (or SID), else the latest one of that name."""
        conf = self.store.live_conference(name_or_sid)
        if conf is None:
            matches = [c for c in self.store.conferences.values()
                       if c.friendly_name == name_or_sid]
            conf = matches[-1] if matches else None
        return conf

    # -- the REST server -----------------------------------------------------------------

    def start_rest_server(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serve Twilio's REST API (and the `/_sim/` control API) on a loopback port."""
        from werkzeug.serving import WSGIRequestHandler, make_server

        from sim.rest import create_app

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        self._server = make_server(host, port, create_app(self), threaded=True,
                                   request_handler=Quiet)
        self._server_thread = threading.Thread(target=self._server.serve_forever,
                                               kwargs={"poll_interval": 0.05},
                                               name="sim-rest", daemon=True)
        self._server_thread.start()
        self.base_url = f"http://{host}:{self._server.server_port}"
        self.log("rest_server", url=self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop the REST server and engine; calls still live are abandoned."""
        self.sched.join_detached()
        self.sched.stop_realtime()
        self.sched.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._server_thread is not None:
            self._server_thread.join(timeout=5)
            self._server_thread = None


__all__ = ["Emulator", "RealClock", "VirtualClock"]
