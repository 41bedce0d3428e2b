"""The baseline every fault test departs from: with nothing failing, a caller who dials in
over real processes waits in line and reaches an agent."""

from __future__ import annotations

from tests.faults.conftest import CALLERS, until

pytestmark = __import__("pytest").mark.faults


def test_a_caller_reaches_an_agent_through_real_processes(stack):
    stack.softphone("amy", answer_after=0.5)
    stack.set_agent("amy", "available")
    sid = stack.queue_caller(CALLERS[0])
    until(lambda: stack.call(sid)["activity"] == "conference"
          and any("Connected" in (e.get("line") or "") or e.get("kind") == "join"
                  for e in stack.softphone_events("amy")), 20, "amy is connected")
    until(lambda: stack.redis_client().hget("{cc}:agent:amy", "state") == "on_call", 20,
          "amy is on the call")
    assert not stack.events("application_error"), stack.logs()
