"""Twilio's REST API (2010-04-01 Voice resources) as a Flask app over the emulator's state."""

from __future__ import annotations

import json
import re
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from sim import calls, conference, queues, resources
from sim.conformance import refusal
from sim.faults import faults, register_faults
from sim.scheduler import HungUp, Redirected
from sim.throttle import QueueTooLong
from sim.twiml import TwimlError, parse

if TYPE_CHECKING:
    from sim.emulator import Emulator
    from sim.state import Conference, Participant

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
CLIENT = re.compile(r"^client:[A-Za-z0-9_]{1,121}$")


# For a refusal Twilio documents no code for (docs/emulator.md, "Refusals Twilio does not
# document"): its error dictionary's generic 400 "Bad Request", nothing an app could key on.
BAD_REQUEST = 400


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(status: int, code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _bool(name: str, default: bool | None = None) -> bool | None:
    value = request.form.get(name)
    if value is None or value == "":
        return default
    if value.lower() not in ("true", "false"):
        raise ApiError(400, 21218, f"Invalid value for {name}: {value}")
    return value.lower() == "true"


def _events(name: str) -> list[str]:
    out: list[str] = []
    for value in request.form.getlist(name):
        out += value.replace(",", " ").split()
    return out


def _party_address(value: str | None, field: str, code: int) -> str:
    if not value:
        raise ApiError(400, code, f"No '{field}' number is specified")
    if not (E164.match(value) or CLIENT.match(value) or value.startswith("sip:")
            or (field == "From" and value in ("anonymous", "unknown"))):
        raise ApiError(400, 21211 if field == "To" else 21212,
                       f"Invalid '{field}' Phone Number: {value}")
    return value


def create_app(emu: Emulator) -> Flask:
    app = Flask("sim.rest")
    prefix = "/2010-04-01/Accounts/<account_sid>"
    injector = faults(emu)  # injected errors and delays (sim/faults.py)

    def api(rule: str, methods: list[str]) -> Any:
        def register(fn: Any) -> Any:
            @wraps(fn)
            def view(account_sid: str, **kw: Any) -> Response:
                _authenticate(emu, account_sid)
                refused = refusal(g.verdict)  # Twilio's OpenAPI description (sim/openapi.py)
                if refused:
                    raise ApiError(*refused)

                def perform() -> Response:
                    with emu.sched.lock:
                        return fn(**kw)

                return injector.intercept(fn.__name__, perform)

            app.add_url_rule(prefix + rule, fn.__name__, view, methods=methods)
            return fn

        return register

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Response:
        resp = _json(error_body(exc.status, exc.code, exc.message), exc.status)
        if exc.status == 401:
            resp.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return resp

    @app.errorhandler(404)
    def not_found(exc: Any) -> Response:
        return _json(error_body(404, 20404, "The requested resource was not found"), 404)

    @app.errorhandler(405)
    def bad_method(exc: Any) -> Response:
        return _json(error_body(405, 20004, "Method not allowed"), 405)

    @app.before_request
    def _start() -> None:
        g.params = request.form.to_dict(flat=False) if request.form else {}
        if request.path.startswith("/2010-04-01/"):
            g.verdict = emu.conformance.check(emu, request.method, request.path, g.params,
                                              request.args.to_dict(flat=False))

    @app.after_request
    def _log(resp: Response) -> Response:
        if request.path.startswith("/2010-04-01"):
            emu.log("rest", method=request.method, path=request.path,
                    query=request.args.to_dict(), params=g.get("params") or None,
                    status=resp.status_code,
                    response=resp.get_data(as_text=True)[:2000] if not resp.direct_passthrough
                    and resp.mimetype == "application/json" else None)
        return resp

    # -- calls ---------------------------------------------------------------------------

    @api("/Calls.json", ["POST"])
    def create_call() -> Response:
        f = request.form
        to = _party_address(f.get("To"), "To", 21201)
        from_ = _party_address(f.get("From"), "From", 21213)
        url, twiml = f.get("Url"), f.get("Twiml")
        if not url and not twiml and not f.get("ApplicationSid"):
            raise ApiError(400, 21205, "Url, Twiml or ApplicationSid is required")
        if twiml:
            _check_twiml(twiml)
        if f.get("ApplicationSid"):
            app_ = emu.store.applications.get(f["ApplicationSid"])
            if app_ is None:
                raise ApiError(400, 21205, "ApplicationSid is not a TwiML App")
            url = url or app_.voice_url
        timeout = _int("Timeout", 60, 1, 600)
        wait = _queue_wait()
        call = emu.new_call(from_=from_, to=to, direction="outbound-api",
                            party=emu.party_for(to))
        emu.throttle.admit(call, wait)
        call.url, call.method, call.twiml = url, (f.get("Method") or "POST").upper(), twiml
        call.fallback_url = f.get("FallbackUrl")
        call.fallback_method = f.get("FallbackMethod") or "POST"
        call.timeout = timeout
        _call_callbacks(call)
        call.proc = emu.sched.spawn(
            calls.outbound(emu, call, lambda: calls.first_document(emu, call)),
            f"call:{call.sid}")
        return _json(resources.call_json(emu, call), 201)

    @api("/Calls.json", ["GET"])
    def list_calls() -> Response:
        a = request.args
        items = [c for c in emu.store.calls.values()
                 if (not a.get("To") or c.to == a["To"])
                 and (not a.get("From") or c.from_ == a["From"])
                 and (not a.get("Status") or c.status == a["Status"])
                 and (not a.get("ParentCallSid") or c.parent_call_sid == a["ParentCallSid"])]
        items.sort(key=lambda c: c.created, reverse=True)
        return _json(resources.page("calls", [resources.call_json(emu, c) for c in items],
                                    request.path, a.to_dict()))

    @api("/Calls/<sid>.json", ["GET"])
    def fetch_call(sid: str) -> Response:
        return _json(resources.call_json(emu, _call(sid)))

    @api("/Calls/<sid>.json", ["POST"])
    def update_call(sid: str) -> Response:
        call, f = _call(sid), request.form
        status, url, twiml = f.get("Status"), f.get("Url"), f.get("Twiml")
        if status and status not in ("canceled", "completed"):
            raise ApiError(400, 21218, f"Invalid Status: {status}")
        if call.ended and (status or url or twiml):
            raise ApiError(400, 21220, "Call is not in-progress. Cannot redirect.")
        if twiml:
            _check_twiml(twiml)
        if f.get("StatusCallback"):
            _call_callbacks(call)
        target = call.proc
        if status == "completed" or (status == "canceled" and call.answered_at is None):
            emu.log("rest_hangup", call_sid=sid, status=status)
            if target is not None:
                emu.sched.interrupt(target, HungUp("api"))
            else:
                calls.finish(emu, call)
                emu.sched.signal(call.owner, "leg-hangup", call.sid)
        elif url or twiml:
            method = (f.get("Method") or "POST").upper()
            if call.answered_at is None:
                call.url, call.method, call.twiml = url, method, twiml
            elif target is None:
                raise ApiError(400, 21220, "The emulator cannot redirect a dialled leg")
            else:
                emu.sched.interrupt(target, Redirected(url, method, twiml))
        call.updated = emu.clock.now()
        return _json(resources.call_json(emu, call))

    @api("/Calls/<sid>/Recordings.json", ["GET"])
    def list_call_recordings(sid: str) -> Response:
        _call(sid)
        items = [r for r in emu.store.recordings.values() if r.call_sid == sid]
        return _json(resources.page("recordings",
                                    [resources.recording_json(emu, r) for r in items],
                                    request.path, request.args.to_dict()))

    # -- conferences ---------------------------------------------------------------------

    @api("/Conferences.json", ["GET"])
    def list_conferences() -> Response:
        a = request.args
        items = [c for c in emu.store.conferences.values()
                 if (not a.get("FriendlyName") or c.friendly_name == a["FriendlyName"])
                 and (not a.get("Status") or c.status == a["Status"])]
        items.sort(key=lambda c: c.created, reverse=True)
        return _json(resources.page("conferences",
                                    [resources.conference_json(emu, c) for c in items],
                                    request.path, a.to_dict()))

    @api("/Conferences/<sid>.json", ["GET"])
    def fetch_conference(sid: str) -> Response:
        return _json(resources.conference_json(emu, _conference(sid)))

    @api("/Conferences/<sid>.json", ["POST"])
    def update_conference(sid: str) -> Response:
        conf, f = _conference(sid), request.form
        if f.get("Status") and f["Status"] != "completed":
            raise ApiError(400, 21218, f"Invalid Status: {f['Status']}")
        if f.get("AnnounceUrl"):
            conference.announce(emu, conf, f["AnnounceUrl"], f.get("AnnounceMethod", "POST"))
        if f.get("Status") == "completed":
            conference.end(emu, conf, "conference-ended-via-api")
        return _json(resources.conference_json(emu, conf))

    @api("/Conferences/<sid>/Participants.json", ["GET"])
    def list_participants(sid: str) -> Response:
        conf, a = _conference(sid), request.args
        items = [p for p in conf.participants.values()
                 if p.status != "complete"
                 and all(a.get(k) is None or str(getattr(p, attr)).lower() == a[k].lower()
                         for k, attr in (("Muted", "muted"), ("Hold", "hold"),
                                         ("Coaching", "coaching")))]
        return _json(resources.page("participants",
                                    [resources.participant_json(emu, p) for p in items],
                                    request.path, a.to_dict()))

    @api("/Conferences/<sid>/Participants.json", ["POST"])
    def create_participant(sid: str) -> Response:
        f = request.form
        to = _party_address(f.get("To"), "To", 21201)
        from_ = _party_address(f.get("From"), "From", 21213)
        timeout = _int("Timeout", 60, 5, 600)
        wait = _queue_wait()  # before a conference is made for a refused create
        if sid.startswith("CF"):
            conf = _conference(sid)
            if conf.status == "completed":
                raise ApiError(400, BAD_REQUEST, "Conference is completed")
        else:
            conf = conference.get_or_create(emu, sid)
        label = f.get("Label") or None
        if label and _by_label(conf, label) is not None:
            raise ApiError(400, BAD_REQUEST,
                           f"Label {label} is already in use in this conference")
        coaching = bool(_bool("Coaching", False))
        coach_sid = f.get("CallSidToCoach") or None
        if coaching and (not coach_sid or coach_sid not in conf.participants):
            raise ApiError(400, BAD_REQUEST,
                           "CallSidToCoach must be a participant of the conference")
        wait_url = f.get("WaitUrl")
        opts = conference.JoinOptions(
            muted=bool(_bool("Muted", False)), beep=(f.get("Beep") or "true"),
            start_on_enter=bool(_bool("StartConferenceOnEnter", True)),
            end_on_exit=bool(_bool("EndConferenceOnExit", False)),
            wait_url=wait_url, wait_method=f.get("WaitMethod") or "POST",
            max_participants=_int("MaxParticipants", 250, 2, 250),
            coach=coach_sid if coaching else None, label=label,
            status_callback=f.get("ConferenceStatusCallback") or None,
            status_callback_method=f.get("ConferenceStatusCallbackMethod") or "POST",
            status_callback_events=conference.expand_events(
                _events("ConferenceStatusCallbackEvent") or ["start", "end"]),
        )
        _bool("EarlyMedia", True)  # validated; early media is not modelled
        call = emu.new_call(from_=from_, to=to, direction="outbound-api",
                            party=emu.party_for(to))
        emu.throttle.admit(call, wait)
        call.timeout = timeout
        _call_callbacks(call)
        from sim.state import Participant

        p = Participant(call.sid, conf.sid, emu.clock.now(), label=label, muted=opts.muted,
                        coaching=coaching, call_sid_to_coach=opts.coach,
                        start_conference_on_enter=opts.start_on_enter,
                        end_conference_on_exit=opts.end_on_exit, beep=opts.beep)
        conf.participants[call.sid] = p
        call.proc = emu.sched.spawn(conference.participant_call(emu, call, conf, opts),
                                    f"participant:{call.sid}")
        emu.log("participant_created", conference_sid=conf.sid, call_sid=call.sid, to=to)
        return _json(resources.participant_json(emu, p, queue_time=call.queue_time), 201)

    @api("/Conferences/<sid>/Participants/<pid>.json", ["GET"])
    def fetch_participant(sid: str, pid: str) -> Response:
        conf = _conference(sid)
        return _json(resources.participant_json(emu, _participant(conf, pid)))

    @api("/Conferences/<sid>/Participants/<pid>.json", ["POST"])
    def update_participant(sid: str, pid: str) -> Response:
        conf, f = _conference(sid), request.form
        p = _participant(conf, pid)
        hold, muted = _bool("Hold"), _bool("Muted")
        if muted is not None:
            conference.set_muted(emu, conf, p, muted)
        if hold is not None:
            conference.set_hold(emu, conf, p, hold, f.get("HoldUrl") or None,
                                f.get("HoldMethod") or "POST")
        coaching = _bool("Coaching")
        coach_sid = f.get("CallSidToCoach") or None
        if coaching and not (coach_sid or p.call_sid_to_coach):
            raise ApiError(400, BAD_REQUEST, "CallSidToCoach is required when Coaching is true")
        conference.modify(
            emu, conf, p, coaching=coaching,
            call_sid_to_coach=coach_sid if coaching is not False else None,
            end_conference_on_exit=_bool("EndConferenceOnExit"),
            start_conference_on_enter=_bool("StartConferenceOnEnter"),
        )
        if coaching is False:
            p.call_sid_to_coach = None
        if f.get("AnnounceUrl"):
            conference.announce(emu, conf, f["AnnounceUrl"], f.get("AnnounceMethod", "POST"),
                                to_call_sid=p.call_sid)
        if f.get("WaitUrl"):
            p.wait_url = f["WaitUrl"]
        p.updated = emu.clock.now()
        return _json(resources.participant_json(emu, p))

    @api("/Conferences/<sid>/Participants/<pid>.json", ["DELETE"])
    def delete_participant(sid: str, pid: str) -> Response:
        conf = _conference(sid)
        p = _participant(conf, pid)
        call = emu.store.calls[p.call_sid]
        if p.status == "connected":
            emu.sched.signal(call.proc, "conf-leave", "participant_updated_via_api")
        else:
            conf.participants.pop(p.call_sid, None)
            emu.sched.interrupt(call.proc, HungUp("api"))
        return Response(status=204)

    # -- recordings ----------------------------------------------------------------------

    @api("/Recordings.json", ["GET"])
    def list_recordings() -> Response:
        a = request.args
        items = [r for r in emu.store.recordings.values()
                 if (not a.get("CallSid") or r.call_sid == a["CallSid"])
                 and (not a.get("ConferenceSid") or r.conference_sid == a["ConferenceSid"])]
        items.sort(key=lambda r: r.created, reverse=True)
        return _json(resources.page("recordings",
                                    [resources.recording_json(emu, r) for r in items],
                                    request.path, a.to_dict()))

    @api("/Recordings/<sid>", ["GET", "DELETE"])
    def recording(sid: str) -> Response:
        base, _, ext = sid.partition(".")
        rec = emu.store.recordings.get(base)
        if rec is None:
            raise ApiError(404, 20404, f"The requested resource {request.path} was not found")
        if request.method == "DELETE":
            if ext not in ("", "json"):
                raise ApiError(405, 20004, "Method not allowed")
            del emu.store.recordings[base]
            emu.log("recording_deleted", recording_sid=base)
            return Response(status=204)
        if ext == "json":
            return _json(resources.recording_json(emu, rec))
        if ext == "mp3":
            return Response(resources.mp3_bytes(rec.duration), mimetype="audio/mpeg")
        if ext in ("", "wav"):
            return Response(resources.wav_bytes(rec.duration), mimetype="audio/x-wav")
        raise ApiError(404, 20404, f"Unknown media type .{ext}")

    # -- queues --------------------------------------------------------------------------

    @api("/Queues.json", ["POST"])
    def create_queue() -> Response:
        name = request.form.get("FriendlyName")
        if not name:
            raise ApiError(400, 20001, "FriendlyName is required")
        if emu.store.queue_by_name(name):
            raise ApiError(400, 22003, f"A queue named {name} already exists")
        q = queues.get_or_create(emu, name, _int("MaxSize", 100, 1, 5000))
        return _json(resources.queue_json(emu, q), 201)

    @api("/Queues.json", ["GET"])
    def list_queues() -> Response:
        items = [resources.queue_json(emu, q) for q in emu.store.queues.values()]
        return _json(resources.page("queues", items, request.path, request.args.to_dict()))

    @api("/Queues/<sid>.json", ["GET", "POST", "DELETE"])
    def queue(sid: str) -> Response:
        q = _queue(sid)
        if request.method == "DELETE":
            if q.members:
                raise ApiError(400, 22004, "Queue is not empty")
            del emu.store.queues[sid]
            return Response(status=204)
        if request.method == "POST":
            if request.form.get("FriendlyName"):
                q.friendly_name = request.form["FriendlyName"]
            q.max_size = _int("MaxSize", q.max_size, 1, 5000)
        return _json(resources.queue_json(emu, q))

    @api("/Queues/<sid>/Members.json", ["GET"])
    def list_members(sid: str) -> Response:
        q = _queue(sid)
        items = [resources.member_json(emu, q, m, i + 1) for i, m in enumerate(q.members)]
        return _json(resources.page("queue_members", items, request.path,
                                    request.args.to_dict()))

    @api("/Queues/<sid>/Members/<member>.json", ["GET", "POST"])
    def member(sid: str, member: str) -> Response:
        q = _queue(sid)
        index = 0 if member == "Front" and q.members else next(
            (i for i, m in enumerate(q.members) if m.call_sid == member), None)
        if index is None or not q.members:
            raise ApiError(404, 20404, f"Member {member} is not in queue {sid}")
        m = q.members[index]
        body = resources.member_json(emu, q, m, index + 1)
        if request.method == "POST":
            url = request.form.get("Url")
            if not url:
                raise ApiError(400, 21205, "Url is required")
            queues.dequeue(emu, q, m.call_sid, url, request.form.get("Method") or "POST")
        return _json(body)

    # -- helpers (closures over emu) -----------------------------------------------------

    def _call(sid: str) -> Any:
        call = emu.store.calls.get(sid)
        if call is None:
            raise ApiError(404, 20404, f"The requested resource /Calls/{sid}.json was not found")
        return call

    def _conference(sid: str) -> Conference:
        conf = emu.store.conferences.get(sid) or emu.store.live_conference(sid)
        if conf is None:
            raise ApiError(404, 20404, f"Conference {sid} was not found")
        return conf

    def _participant(conf: Conference, pid: str) -> Participant:
        p = conf.participants.get(pid) or _by_label(conf, pid)
        if p is None or p.status == "complete":
            raise ApiError(404, 20404, f"Participant {pid} was not found")
        return p

    def _queue(sid: str) -> Any:
        q = emu.store.queues.get(sid)
        if q is None:
            raise ApiError(404, 20404, f"Queue {sid} was not found")
        return q

    def _call_callbacks(call: Any) -> None:
        f = request.form
        if f.get("StatusCallback"):
            call.status_callback = f["StatusCallback"]
            call.status_callback_method = f.get("StatusCallbackMethod") or "POST"
            call.status_callback_events = set(_events("StatusCallbackEvent") or ["completed"])

    def _queue_wait() -> float:
        try:
            return emu.throttle.estimate()
        except QueueTooLong as exc:
            # Twilio documents the code, not the HTTP status: see docs/emulator.md.
            raise ApiError(400, 22005, f"Call queue is full: {exc}") from None

    def _int(name: str, default: int, low: int, high: int) -> int:
        value = request.form.get(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            raise ApiError(400, 21218, f"{name} must be an integer") from None
        if not low <= number <= high:
            raise ApiError(400, 21218, f"{name} must be between {low} and {high}")
        return number

    from sim.control import register_control

    register_control(app, emu)
    register_faults(app, emu)
    return app


def _by_label(conf: Conference, label: str) -> Participant | None:
    return next((p for p in conf.participants.values()
                 if p.label == label and p.status != "complete"), None)


def _check_twiml(text: str) -> None:
    try:
        parse(text)
    except TwimlError as exc:
        raise ApiError(400, 12100, f"Twiml is not valid TwiML: {exc}") from None


def _authenticate(emu: Emulator, account_sid: str) -> None:
    auth = request.authorization
    ok = auth is not None and auth.type == "basic" and (
        (auth.username == emu.account_sid and auth.password == emu.auth_token)
        or (emu.api_key is not None and auth.username == emu.api_key
            and auth.password == emu.api_secret))
    if not ok:
        raise ApiError(401, 20003, "Authenticate")
    if account_sid != emu.account_sid:
        raise ApiError(404, 20404, f"Account {account_sid} was not found")
