"""Fault injection in the emulator's REST API: Twilio answering errors, or answering slowly.

A test (or a developer, through `/_sim/faults`) says "the next N `participants.create`
answer 503", "the next `calls.update` takes 5 s", or "the next `participants.create` takes
effect but its answer is lost (500)". The last one is the dangerous case for a client that
retries: the participant exists, the client was told it does not.

Rules are matched in the order they were added; each matching request uses up one of its
`count`. A delay is slept before the engine's lock is taken, so the rest of the emulator
keeps running while one REST request hangs.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, jsonify, request

if TYPE_CHECKING:
    from sim.emulator import Emulator

# The REST views' names (sim/rest.py) under the names twilio-python's calls suggest.
OPERATIONS = {
    "create_call": "calls.create",
    "list_calls": "calls.list",
    "fetch_call": "calls.fetch",
    "update_call": "calls.update",
    "list_call_recordings": "calls.recordings.list",
    "list_conferences": "conferences.list",
    "fetch_conference": "conferences.fetch",
    "update_conference": "conferences.update",
    "list_participants": "participants.list",
    "create_participant": "participants.create",
    "fetch_participant": "participants.fetch",
    "update_participant": "participants.update",
    "delete_participant": "participants.delete",
    "list_recordings": "recordings.list",
    "recording": "recordings.{method}",  # GET fetch, DELETE delete
    "create_queue": "queues.create",
    "list_queues": "queues.list",
    "queue": "queues.{method}",
    "list_members": "members.list",
    "member": "members.{method}",
}
_VERBS = {"GET": "fetch", "POST": "update", "DELETE": "delete"}

# Twilio's own codes for its server errors.
CODES = {500: 20500, 502: 20500, 503: 20503, 504: 20504, 429: 20429}


def operation_name(view: str, method: str) -> str:
    """`create_participant` -> `participants.create`; `recording`, DELETE -> `recordings.delete`."""
    name = OPERATIONS.get(view, view)
    return name.format(method=_VERBS.get(method.upper(), method.lower()))


@dataclass
class Fault:
    """What happens to the next `count` requests of `operation` ("*" for any)."""

    operation: str
    count: int = 1
    status: int | None = None  # answer this HTTP status with Twilio's error JSON
    delay: float = 0.0  # seconds before anything happens
    after: bool = False  # with `status`: the operation takes effect, then the error answer
    code: int | None = None  # Twilio's error code (default: by status)
    id: int = 0
    used: int = 0

    def matches(self, operation: str) -> bool:
        return self.used < self.count and self.operation.lower() in ("*", operation.lower())

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        operation = str(data.get("operation") or "").strip()
        if not operation:
            raise ValueError("'operation' is required, e.g. participants.create (or *)")
        status = data.get("status")
        status = int(status) if status not in (None, "") else None
        if status is not None and not 400 <= status <= 599:
            raise ValueError("'status' must be an HTTP error status (400-599)")
        delay = float(data.get("delay") or 0)
        count = int(data.get("count", 1))
        if delay < 0 or count < 1:
            raise ValueError("'delay' must be >= 0 and 'count' >= 1")
        if status is None and not delay:
            raise ValueError("a fault needs a 'status', a 'delay', or both")
        code = data.get("code")
        return cls(operation, count, status, delay, bool(data.get("after", False)),
                   int(code) if code not in (None, "") else None)


@dataclass
class Hit:
    fault: int
    operation: str
    method: str
    path: str
    at: float
    status: int | None
    delay: float
    after: bool
    done: bool = False  # the request's answer has been sent


@dataclass
class FaultInjector:
    """The emulator's fault rules and what they did."""

    emu: Any
    faults: list[Fault] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def add(self, operation: str, count: int = 1, *, status: int | None = None,
            delay: float = 0.0, after: bool = False, code: int | None = None) -> Fault:
        return self.add_fault(Fault.from_json({"operation": operation, "count": count,
                                               "status": status, "delay": delay,
                                               "after": after, "code": code}))

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.hits.clear()

    def _take(self, operation: str, method: str) -> tuple[Fault, Hit] | None:
        with self._lock:
            fault = next((f for f in self.faults if f.matches(operation)), None)
            if fault is None:
                return None
            fault.used += 1
            hit = Hit(fault.id, operation, method, request.path, time.time(), fault.status,
                      fault.delay, fault.after)
            self.hits.append(hit)
            return fault, hit

    def intercept(self, view: str, perform: Callable[[], Response]) -> Response:
        """Run one REST request through the rules: maybe wait, maybe fail, before or after."""
        operation = operation_name(view, request.method)
        taken = self._take(operation, request.method)
        if taken is None:
            return perform()
        fault, hit = taken
        self.emu.log("fault", operation=operation, method=request.method, path=request.path,
                     status=fault.status, delay=fault.delay, after=fault.after, fault=fault.id)
        try:
            if fault.delay:
                time.sleep(fault.delay)  # real seconds: this is how slow Twilio answers
            if fault.status is None:
                return perform()
            if fault.after:
                perform()  # it happened; the client will never know
            return error_response(fault.status, fault.code)
        finally:
            hit.done = True

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {"faults": [asdict(f) for f in self.faults],
                    "active": [asdict(f) for f in self.faults if f.used < f.count],
                    "hits": [asdict(h) for h in self.hits]}


def error_response(status: int, code: int | None = None) -> Response:
    code = code or CODES.get(status, 20500)
    body = {"code": code, "message": f"Injected fault: HTTP {status}",
            "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status}
    return Response(json.dumps(body), status=status, mimetype="application/json")


def faults(emu: Emulator) -> FaultInjector:
    """The emulator's fault injector (created on first use)."""
    injector = getattr(emu, "_fault_injector", None)
    if injector is None:
        injector = FaultInjector(emu)
        emu._fault_injector = injector  # type: ignore[attr-defined]
    return injector


def register_faults(app: Flask, emu: Emulator) -> None:
    """`/_sim/faults`: GET the rules and what they hit, POST a rule, DELETE them all."""
    bp = Blueprint("sim_faults", __name__, url_prefix="/_sim")
    injector = faults(emu)

    @bp.get("/faults")
    def list_faults() -> Response:
        return jsonify(injector.state())

    @bp.post("/faults")
    def add_fault() -> Response:
        try:
            fault = injector.add_fault(Fault.from_json(request.get_json(silent=True) or {}))
        except (TypeError, ValueError) as exc:
            resp = jsonify({"error": str(exc)})
            resp.status_code = 400
            return resp
        return jsonify(asdict(fault)), 201

    @bp.delete("/faults")
    def clear_faults() -> Response:
        injector.clear()
        return jsonify(injector.state())

    app.register_blueprint(bp)
