"""Random interleavings of everything that happens on a floor, against the real Redis scripts.

Callers arrive and hang up, agents go available, answer, miss, finish, and routers run, in
any order hypothesis can think of. After every step: no caller is with two agents, no agent
has two callers, and every waiting caller is in line exactly once.
"""

from __future__ import annotations

import redis
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.queue.keys import Keys
from app.queue.store import QueueStore

T0 = 1_800_000_000.0
AGENTS = ["a0", "a1", "a2"]
DEPARTMENTS = ["billing"]


def floor_machine(redis_url: str):
    class Floor(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            client = redis.Redis.from_url(redis_url, decode_responses=True)
            client.flushdb()
            self.store = QueueStore(client, Keys("h"))
            self.clock = T0
            self.arrived = 0
            for agent in AGENTS:
                self.store.set_agent_state(agent, "away", DEPARTMENTS, self.clock, "start")

        def tick(self) -> float:
            self.clock += 1
            return self.clock

        @rule(priority=st.integers(0, 3))
        def caller_arrives(self, priority: int) -> None:
            self.store.enqueue(f"CA{self.arrived}", "billing", priority=priority,
                               since=self.tick())
            self.arrived += 1

        @rule(agent=st.sampled_from(AGENTS))
        def agent_goes_available(self, agent: str) -> None:
            self.store.set_agent_state(agent, "available", DEPARTMENTS, self.tick())

        @rule()
        def router_runs(self) -> None:
            while self.store.match(DEPARTMENTS, self.tick()):
                pass

        @precondition(lambda self: self.arrived > 0)
        @rule(data=st.data())
        def caller_hangs_up(self, data) -> None:
            sid = f"CA{data.draw(st.integers(0, self.arrived - 1))}"
            self.store.hang_up(sid, self.tick())

        @rule(agent=st.sampled_from(AGENTS), answer=st.booleans())
        def ringing_agent_acts(self, agent: str, answer: bool) -> None:
            state = self.store.agent(agent)
            if state.get("state") != "ringing":
                return
            if answer:
                self.store.answer(state["call"], agent, self.tick())
            else:
                self.store.release_offer(state["call"], agent, self.tick())

        @rule(agent=st.sampled_from(AGENTS))
        def agent_finishes_call(self, agent: str) -> None:
            if self.store.agent(agent).get("state") == "on_call":
                self.store.finish_call(agent, "wrap_up", self.tick())

        @invariant()
        def one_caller_one_agent(self) -> None:
            if not hasattr(self, "store"):
                return
            calls = {a: self.store.agent(a) for a in AGENTS}
            busy = [c["call"] for c in calls.values() if c.get("state") in ("ringing",
                                                                            "on_call")]
            assert len(busy) == len(set(busy)), f"a caller is with two agents: {calls}"
            for agent, state in calls.items():
                if state.get("state") in ("ringing", "on_call"):
                    call = self.store.call(state["call"])
                    # The caller is with exactly this agent (or has just hung up).
                    assert call.get("state") in ("offered", "connected", "ended"), call
                    if call.get("state") != "ended":
                        assert call.get("agent") == agent
                available = agent in self.store.available_agents("billing")
                assert available == (state.get("state") == "available")

        @invariant()
        def waiting_callers_are_in_line_once(self) -> None:
            if not hasattr(self, "store"):
                return
            line = self.store.waiting("billing", limit=1000)
            assert len(line) == len(set(line))
            for i in range(self.arrived):
                state = self.store.call(f"CA{i}").get("state")
                assert (f"CA{i}" in line) == (state == "waiting"), (i, state, line)

    return Floor


def test_random_interleavings_keep_the_floor_consistent(redis_server):
    machine = floor_machine(redis_server.url)
    machine.TestCase.settings = settings(max_examples=60, stateful_step_count=40,
                                         deadline=None)
    machine.TestCase().runTest()
