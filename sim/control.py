"""The `/_sim/` JSON control API: other processes (the terminal phone, a browser test phone,
a browser softphone) place calls, press keys, speak, answer, and follow what parties hear.

It is a development tool on a loopback port and has no authentication.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, jsonify, request

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.parties import Party

MAX_WAIT = 30.0


def register_control(app: Flask, emu: Emulator) -> None:
    bp = Blueprint("sim_control", __name__, url_prefix="/_sim")

    def body() -> dict[str, Any]:
        return request.get_json(silent=True) or request.form.to_dict() or {}

    def fail(status: int, message: str) -> Response:
        resp = jsonify({"error": message})
        resp.status_code = status
        return resp

    def party_or_404(address: str) -> Party | None:
        return emu.parties.get(address)

    @bp.get("/health")
    def health() -> Response:
        return jsonify({"ok": True, "account_sid": emu.account_sid,
                        "numbers": list(emu.store.numbers), "virtual": emu.clock.virtual,
                        "t": emu.elapsed})

    @bp.get("/state")
    def state() -> Response:
        with emu.sched.lock:
            return jsonify({
                "t": emu.elapsed,
                "calls": [{"sid": c.sid, "from": c.from_, "to": c.to, "status": c.status,
                           "direction": c.direction, "activity": c.activity,
                           "party": c.party.address if c.party else None,
                           "parent_call_sid": c.parent_call_sid}
                          for c in emu.store.calls.values()],
                "conferences": [{"sid": c.sid, "friendly_name": c.friendly_name,
                                 "status": c.status,
                                 "participants": [
                                     {"call_sid": p.call_sid, "label": p.label,
                                      "status": p.status, "hold": p.hold, "muted": p.muted,
                                      "coaching": p.coaching}
                                     for p in c.participants.values()]}
                                for c in emu.store.conferences.values()],
                "queues": [{"sid": q.sid, "friendly_name": q.friendly_name,
                            "members": [m.call_sid for m in q.members]}
                           for q in emu.store.queues.values()],
                "parties": [{"address": p.address, "online": p.online,
                             "ringing": list(p.ringing), "calls": list(p.call_sids)}
                            for p in emu.parties.values()],
            })

    @bp.post("/calls")
    def dial_in() -> Response:
        b = body()
        from_ = b.get("from")
        to = b.get("to") or next(iter(emu.store.numbers), None)
        if not from_ or not to:
            return fail(400, "'from' is required (and a number must be configured)")
        try:
            handle = emu.dial_in(from_, to, forwarded_from=b.get("forwarded_from"),
                                 caller_name=b.get("caller_name"))
        except KeyError as exc:
            return fail(404, str(exc))
        return jsonify({"call_sid": handle.sid, "party": handle.party.address}), 201

    @bp.get("/calls/<sid>")
    def call_info(sid: str) -> Response:
        call = emu.store.calls.get(sid)
        if call is None:
            return fail(404, f"no call {sid}")
        heard = [h.as_dict() for h in call.party.heard if h.call_sid == sid] if call.party else []
        return jsonify({"sid": sid, "status": call.status, "activity": call.activity,
                        "awaiting_input": call.awaiting_input, "heard": heard})

    @bp.post("/calls/<sid>/<action>")
    def call_action(sid: str, action: str) -> Response:
        call = emu.store.calls.get(sid)
        if call is None or call.party is None:
            return fail(404, f"no call {sid}")
        return _act(call.party, action, body(), sid)

    @bp.post("/phones")
    def configure_phone() -> Response:
        b = body()
        if not b.get("number"):
            return fail(400, "'number' is required")
        phone = emu.phone(b["number"], answer_after=_float(b.get("answer_after")),
                          policy=b.get("policy"))
        return jsonify({"address": phone.address, "policy": phone.policy,
                        "answer_after": phone.answer_after})

    @bp.post("/softphones")
    def register() -> Response:
        b = body()
        if not b.get("identity"):
            return fail(400, "'identity' is required")
        phone = emu.softphone(b["identity"], answer_after=_float(b.get("answer_after")))
        return jsonify({"address": phone.address, "online": phone.online}), 201

    @bp.delete("/softphones/<identity>")
    def unregister(identity: str) -> Response:
        phone = party_or_404(f"client:{identity}")
        if phone is None:
            return fail(404, f"no softphone {identity}")
        phone.online = False
        # A scripted auto-answer ends with the registration, or it would answer for whoever
        # signs in as this identity next (a browser answers only when its agent clicks).
        phone.answer_after = None
        return jsonify({"address": phone.address, "online": False})

    @bp.post("/softphones/<identity>/calls")
    def place(identity: str) -> Response:
        b = body()
        phone = emu.softphone(identity)
        try:
            handle = phone.place_call(b.get("to", ""), b.get("params") or {},
                                      b.get("application_sid"))
        except KeyError as exc:
            return fail(400, str(exc))
        return jsonify({"call_sid": handle.sid, "party": phone.address}), 201

    @bp.post("/softphones/<identity>/<action>")
    def softphone_action(identity: str, action: str) -> Response:
        phone = party_or_404(f"client:{identity}")
        if phone is None:
            return fail(404, f"no softphone {identity}")
        if action == "close-tab":
            phone.close_tab()
            return jsonify({"ok": True, "party": phone.address, "online": False})
        return _act(phone, action, body(), None)

    @bp.post("/parties/<path:address>/<action>")
    def party_action(address: str, action: str) -> Response:
        party = party_or_404(address)
        if party is None:
            return fail(404, f"no party {address}")
        return _act(party, action, body(), None)

    @bp.get("/parties/<path:address>/events")
    def party_events(address: str) -> Response:
        since = int(request.args.get("since", 0))
        wait = min(float(request.args.get("wait", 0)), MAX_WAIT)
        deadline = time.monotonic() + wait
        while True:
            party = party_or_404(address)
            heard = party.heard[since:] if party else []
            remaining = deadline - time.monotonic()
            if heard or remaining <= 0:
                break
            emu.wait_for_events(len(emu.events), min(remaining, 1.0))
        call = party.call if party else None
        return jsonify({"events": [h.as_dict() | {"line": h.describe()} for h in heard],
                        "next": since + len(heard),
                        "ringing": list(party.ringing) if party else [],
                        "call_sid": call.sid if call else None})

    @bp.get("/parties/<path:address>/stream")
    def party_stream(address: str) -> Response:
        def events() -> Iterator[str]:
            sent = 0
            end = time.monotonic() + float(request.args.get("max", 3600))
            while time.monotonic() < end:
                party = emu.parties.get(address)
                heard = party.heard[sent:] if party else []
                for h in heard:
                    yield f"data: {json.dumps(h.as_dict() | {'line': h.describe()})}\n\n"
                sent += len(heard)
                if not heard:
                    emu.wait_for_events(len(emu.events), 1.0)
                    yield ": keep-alive\n\n"

        return Response(events(), mimetype="text/event-stream")

    @bp.get("/events")
    def all_events() -> Response:
        since = int(request.args.get("since", 0))
        wait = min(float(request.args.get("wait", 0)), MAX_WAIT)
        events = emu.events[since:] or (emu.wait_for_events(since, wait) if wait else [])
        return jsonify({"events": events, "next": since + len(events)})

    @bp.get("/conformance")
    def conformance() -> Response:
        """The REST requests checked against Twilio's OpenAPI description, per operation,
        and those that broke it (sim/conformance.py)."""
        return jsonify({"checked": dict(emu.conformance.counts()),
                        "violations": [{**verdict.as_dict(), "violations": [v.as_dict()]}
                                       for verdict, v in emu.conformance.violations()]})

    @bp.post("/advance")
    def advance() -> Response:
        if not emu.clock.virtual:
            return fail(400, "the emulator runs in real time")
        emu.advance(float(body().get("seconds", 0)))
        return jsonify({"t": emu.elapsed})

    @bp.post("/cps")
    def cps() -> Response:
        """The account's calls per second for REST-created calls (what the account bought)."""
        try:
            emu.set_cps(float(body().get("cps", "")))
        except (TypeError, ValueError):
            return fail(400, "cps must be a positive number")
        return jsonify({"cps": emu.cps})

    @bp.post("/transcriptions")
    def transcription() -> Response:
        emu.queue_transcription(body().get("text", ""))
        return jsonify({"queued": True})

    def _act(party: Party, action: str, b: dict[str, Any], sid: str | None) -> Response:
        try:
            if action == "press":
                party.press(str(b.get("digits", "")), sid)
            elif action == "say":
                party.say(b.get("text", ""), sid, confidence=float(b.get("confidence", 0.9)))
            elif action == "hangup":
                party.hangup(sid)
            elif action == "answer":
                party.answer(b.get("call_sid"))
            elif action == "reject":
                party.reject(b.get("call_sid"))
            else:
                return fail(404, f"unknown action {action}")
        except RuntimeError as exc:
            return fail(409, str(exc))
        return jsonify({"ok": True, "party": party.address})

    app.register_blueprint(bp)


def _float(value: Any) -> float | None:
    return None if value in (None, "") else float(value)
