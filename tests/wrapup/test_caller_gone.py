"""A caller who hangs up: Twilio requests their `<Dial>` action with `CallStatus=completed`,
and the app takes its `caller_gone` path (no survey for nobody, nothing left behind), even
when that request arrives before the conference's news of the hang-up: Twilio sends each
callback as its own request, in no promised order."""

from __future__ import annotations

from collections.abc import Mapping

from app.wrapup.models import SurveyResponse
from sim.transport import Transport, WebhookResponse
from tests.wrapup.test_survey import enable_survey


class LeaveArrivesLate:
    """Delivers the caller's `participant-leave` after their Dial action (the order Twilio
    may use), instead of before it (the order the emulator uses)."""

    def __init__(self, inner: Transport, caller: str) -> None:
        self.inner, self.caller = inner, caller
        self.held: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
        self.dial_actions: list[dict[str, str]] = []

    def send(self, method: str, url: str, params: Mapping[str, str],
             headers: Mapping[str, str]) -> WebhookResponse:
        if ("/queue/conference-events" in url and params.get("CallSid") == self.caller
                and params.get("StatusCallbackEvent") == "participant-leave"):
            self.held.append((method, url, dict(params), dict(headers)))
            return WebhookResponse(204)  # accepted; the app sees it after the Dial action
        answer = self.inner.send(method, url, params, headers)
        if "/queue/after" in url and params.get("CallSid") == self.caller:
            self.dial_actions.append(dict(params))
            while self.held:
                self.inner.send(*self.held.pop(0))
        return answer


def test_a_caller_who_hangs_up_on_the_agent_is_not_asked_the_survey(floor):
    floor.emu.set_chaos(None)  # holds back one callback: this order exactly
    enable_survey(floor)
    amy = floor.agent("amy", ["billing"])
    call = floor.answered_call(amy)
    late = LeaveArrivesLate(floor.emu.transport, call.sid)
    floor.emu.transport = late
    floor.wait(5)
    call.hangup()
    floor.wait(2)
    [action] = late.dial_actions
    assert action["CallStatus"] == "completed"
    assert not late.held  # the leave event did arrive, after the action
    # The caller_gone path: no survey asked of nobody, no row left half-done.
    assert floor.rows(SurveyResponse) == []
    interaction = floor.interaction(call.sid)
    assert not [e for e in interaction.events if e.kind == "survey_asked"]
    assert interaction.abandoned is not True
    assert floor.call_state(call.sid)["state"] == "ended"
    assert floor.agent_state("amy")["state"] == "wrap_up"
    assert floor.store().waiting("billing") == []


def test_a_caller_who_hangs_up_while_waiting_leaves_nothing_behind(floor):
    floor.emu.set_chaos(None)  # holds back callbacks and counts the Dial actions
    floor.agent("amy", ["billing"], state="away")
    call = floor.call_in()
    late = LeaveArrivesLate(floor.emu.transport, call.sid)
    floor.emu.transport = late
    floor.wait(10)
    call.hangup()
    floor.wait(2)
    [action] = late.dial_actions
    assert action["CallStatus"] == "completed"
    assert floor.call_state(call.sid)["state"] == "ended"
    assert floor.store().waiting("billing") == []
    assert floor.interaction(call.sid).abandoned is True
    # Its hold clock fires no step any more, for a caller nobody can hear.
    floor.wait(50)
    assert floor.call_state(call.sid)["state"] == "ended"
    assert not any(e["type"] == "webhook" and e.get("purpose") == "redirect"
                   for e in floor.emu.events)
