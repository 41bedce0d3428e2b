"""The Redis queues and presence, against a real redis-server."""

from __future__ import annotations

import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.queue.store import QueueStore

T0 = 1_800_000_000.0


def available(store: QueueStore, identity: str, departments: list[str], at: float) -> None:
    assert store.set_agent_state(identity, "available", departments, at) == "available"


def test_callers_wait_in_priority_then_arrival_order(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    store.enqueue("CA2", "billing", priority=0, since=T0 + 5)
    store.enqueue("VIP", "billing", priority=5, since=T0 + 10)
    assert store.waiting("billing") == ["VIP", "CA1", "CA2"]
    assert [store.position(s) for s in ("VIP", "CA1", "CA2")] == [1, 2, 3]


def test_enqueue_is_idempotent_for_a_retried_webhook(store):
    assert store.enqueue("CA1", "billing", priority=0, since=T0) is True
    assert store.enqueue("CA1", "billing", priority=0, since=T0 + 30) is False
    assert store.call("CA1")["since"] == str(T0)
    assert store.queue_length("billing") == 1


def test_match_pairs_head_caller_with_longest_idle_agent(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    store.enqueue("CA2", "billing", priority=0, since=T0 + 1)
    available(store, "newcomer", ["billing"], T0 + 50)
    available(store, "veteran", ["billing"], T0 + 10)
    match = store.match(["billing"], T0 + 60)
    assert (match.call_sid, match.agent) == ("CA1", "veteran")
    assert store.call("CA1")["state"] == "offered"
    assert store.agent("veteran")["state"] == "ringing"
    assert store.available_agents("billing") == ["newcomer"]
    assert store.waiting("billing") == ["CA2"]


def test_no_match_without_an_agent_with_the_skill(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    available(store, "sales_only", ["sales"], T0)
    assert store.match(["billing"], T0) is None
    assert store.match(["sales"], T0) is None


def test_widened_caller_can_be_taken_by_overflow_agents_and_leaves_every_queue(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    assert store.widen("CA1", ["support"]) == 1
    assert store.waiting("support") == ["CA1"]
    available(store, "helper", ["support"], T0)
    match = store.match(["support"], T0 + 31)
    assert match.call_sid == "CA1" and match.department == "support"
    assert store.waiting("billing") == [] and store.waiting("support") == []


def test_missed_offer_puts_the_caller_back_in_their_place_and_the_agent_away(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    store.enqueue("CA2", "billing", priority=0, since=T0 + 1)
    available(store, "amy", ["billing"], T0)
    store.match(["billing"], T0 + 2)
    assert store.release_offer("CA1", "amy", T0 + 20) is True
    assert store.waiting("billing") == ["CA1", "CA2"]
    agent = store.agent("amy")
    assert (agent["state"], agent["reason"]) == ("away", "missed call")
    assert store.available_agents("billing") == []


def test_caller_hanging_up_while_ringing_frees_the_agent(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    available(store, "amy", ["billing"], T0)
    store.match(["billing"], T0 + 1)
    assert store.hang_up("CA1", T0 + 5) == ("offered", "amy")
    assert store.agent("amy")["state"] == "available"
    assert store.available_agents("billing") == ["amy"]
    # The agent's late no-answer must not put a departed caller back in line.
    assert store.release_offer("CA1", "amy", T0 + 6) is False
    assert store.waiting("billing") == []


def test_answer_only_by_the_agent_offered(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    available(store, "amy", ["billing"], T0)
    available(store, "bob", ["billing"], T0 + 1)
    store.match(["billing"], T0 + 3)
    assert store.answer("CA1", "bob", T0 + 8) is None
    assert store.answer("CA1", "amy", T0 + 8) == 8.0
    assert store.agent("amy")["state"] == "on_call"


def test_agent_cannot_leave_a_ringing_or_live_call_by_changing_state(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    available(store, "amy", ["billing"], T0)
    store.match(["billing"], T0)
    assert store.set_agent_state("amy", "away", ["billing"], T0, "lunch") == "ringing"


def test_parked_caller_keeps_their_place(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    store.enqueue("CA2", "billing", priority=0, since=T0 + 1)
    assert store.park("CA1")
    assert store.waiting("billing") == ["CA2"]
    assert store.unpark("CA1")
    assert store.waiting("billing") == ["CA1", "CA2"]


def test_raising_priority_moves_a_caller_ahead(store):
    store.enqueue("CA1", "billing", priority=0, since=T0)
    store.enqueue("CA2", "billing", priority=0, since=T0 + 1)
    store.rescore("CA2", 2)
    assert store.waiting("billing") == ["CA2", "CA1"]


def test_claimed_deadline_is_given_to_one_claimant_and_reclaimed_after_its_lease(store):
    store.schedule({"CA1|1|0": T0})
    first = store.claim_due(T0 + 1, 10, lease=30)
    second = store.claim_due(T0 + 1, 10, lease=30)
    assert first == [("CA1|1|0", T0)] and second == []
    # The claimant died without acknowledging: after the lease, someone else gets it.
    assert store.claim_due(T0 + 32, 10, lease=30) == [("CA1|1|0", T0 + 32)]


# The test flushes Redis itself at the start of every example.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    callers=st.integers(min_value=1, max_value=10),
    agents=st.integers(min_value=1, max_value=6),
    order=st.randoms(use_true_random=False),
)
def test_concurrent_routing_gives_each_caller_to_exactly_one_agent(store, callers, agents,
                                                                   order):
    store.redis.flushdb()
    for i in range(callers):
        store.enqueue(f"CA{i}", "billing", priority=i % 3, since=T0 + i)
    for j in range(agents):
        available(store, f"agent{j}", ["billing"], T0 + j)
    matches = []
    lock = threading.Lock()

    def router() -> None:
        while True:
            found = store.match(["billing"], T0 + 100)
            if found is None:
                return
            with lock:
                matches.append(found)

    threads = [threading.Thread(target=router) for _ in range(order.randint(2, 6))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(matches) == min(callers, agents)
    assert len({m.call_sid for m in matches}) == len(matches)
    assert len({m.agent for m in matches}) == len(matches)
    # The callers taken are the best ones: highest priority first, then longest waiting.
    expected = sorted(range(callers), key=lambda i: (-(i % 3), i))[: len(matches)]
    assert {m.call_sid for m in matches} == {f"CA{i}" for i in expected}
