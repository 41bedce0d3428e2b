"""What each hold-clock deadline does when it comes due."""

from __future__ import annotations

import json
import logging

from app.queue.holdclock import Deadline, Handler
from app.queue.service import QueueService
from app.queue.store import MAX_PRIORITY

log = logging.getLogger(__name__)

# Callers in these states are still waiting for a person; the ladder applies to them.
WAITING_STATES = ("waiting", "offered", "in_offer")
RETRY_WHILE_RINGING = 1.0


class Escalations:
    def __init__(self, service: QueueService) -> None:
        self.service = service
        self.store = service.store

    def handlers(self) -> dict[str, Handler]:
        return {"step": self.step, "ring": self.ring_overdue, "wrapup": self.wrap_up_over}

    def step(self, deadline: Deadline, now: float) -> None:
        sid = deadline.subject
        call = self.store.call(sid)
        if call.get("state") not in WAITING_STATES or call.get("generation") != deadline.generation:
            return  # answered, gone, or a wait that has since restarted
        fired_key = f"fired:{deadline.generation}:{deadline.index}"
        if call.get(fired_key):
            return  # a retried claim of a step that already took effect
        steps = json.loads(call.get("ladder") or "[]")
        if deadline.index >= len(steps):
            return
        step = steps[deadline.index]
        action = step["action"]
        if action == "offer" and call["state"] == "offered":
            # An agent's phone is ringing for this caller; ask again shortly. The ring timeout
            # was cut so that the ring ends in time for the offer to come before the limit.
            self.store.schedule({deadline.member: now + RETRY_WHILE_RINGING})
            return
        getattr(self, f"_{action}")(sid, call, step)
        # When the step took effect (after its action), for the lateness the benchmark reports.
        self.store.set_call_fields(sid, **{fired_key: round(self.service.now(), 3)})
        waited = now - float(call.get("since", now))
        self.service.events.call_event(sid, "escalated", step=action, at=step["at"],
                                       waited=round(waited, 3), late=round(now - deadline.due, 3))

    def _announce(self, sid: str, call: dict[str, str], step: dict) -> None:
        self.store.set_call_fields(sid, announce="1")

    def _raise_priority(self, sid: str, call: dict[str, str], step: dict) -> None:
        priority = min(MAX_PRIORITY, int(call.get("priority", 0)) + int(step.get("by", 1)))
        self.store.rescore(sid, priority)

    def _widen(self, sid: str, call: dict[str, str], step: dict) -> None:
        departments = [d for d in step.get("departments", []) if d]
        if departments:
            self.store.widen(sid, departments)
            self.service.route(departments)

    def _alert(self, sid: str, call: dict[str, str], step: dict) -> None:
        log.warning("hold-clock alert: call %s has waited %s s in %s", sid, step["at"],
                    call.get("department"))
        self.service.events.supervisor_alert(
            "long_wait", call_sid=sid, department=call.get("department", ""),
            waited=step["at"],
        )

    def _offer(self, sid: str, call: dict[str, str], step: dict) -> None:
        generation = call.get("generation", "")
        if call["state"] == "in_offer" and call.get("offer_pending") == generation:
            # This step parked the caller, then its clock died before Twilio took the
            # redirect (tests/faults/test_clock_killed.py): redirect again, or the caller
            # waits out of line, never offered. At worst a redirect that did land but was
            # not yet marked fired starts the offer menu again.
            pass
        elif call["state"] != "waiting":
            return
        else:
            self.store.set_call_fields(sid, offer_pending=generation)
            if not self.store.park(sid):
                return
        try:
            self.service.gateway.redirect_call(sid, self.service.url(f"/queue/offer?call={sid}"))
        except Exception:
            self.store.unpark(sid)  # still in line; the step is retried when its lease ends
            raise

    def ring_overdue(self, deadline: Deadline, now: float) -> None:
        """The ring should have ended long ago but no status callback said so."""
        call = self.store.call(deadline.subject)
        if call.get("state") == "offered" and call.get("agent") == deadline.generation:
            self.service.agent_missed(deadline.subject, deadline.generation, "no status callback")

    def wrap_up_over(self, deadline: Deadline, now: float) -> None:
        identity, since = deadline.subject, deadline.generation
        agent = self.store.agent(identity)
        if agent.get("state") == "wrap_up" and agent.get("since") == since:
            self.store.finish_call(identity, "available", now)
            self.service.events.agent_event(identity, "available")
            self.service.route(self.service.agent_departments(identity))
