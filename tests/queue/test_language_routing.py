"""Language as a skill: the router (MATCH) offers a caller to an agent who speaks their
language, and the ladder's `any_language` step (FIRE_STEPS) lets any agent take them."""

from __future__ import annotations

import json

from app.queue import lua
from app.queue.store import QueueStore

T0 = 1_800_000_000.0
LADDER = json.dumps([{"at": 20, "action": "any_language"}, {"at": 45, "action": "offer"}])


def available(store: QueueStore, identity: str, at: float, languages: list[str] | None,
              departments: tuple[str, ...] = ("billing",)) -> None:
    assert store.set_agent_state(identity, "available", list(departments), at,
                                 languages=languages) == "available"


def caller(store: QueueStore, sid: str, since: float, language: str = "",
           department: str = "billing") -> None:
    store.enqueue(sid, department, priority=0, since=since, language=language, ladder=LADDER)


def fire_any_language(store: QueueStore, sid: str, now: float) -> list[str]:
    """The hold clock firing the caller's step 0 (any_language), as escalation.py calls it."""
    script = store.redis.register_script(lua.FIRE_STEPS.source)
    flat = script(keys=[store.keys.prefix], args=[
        now, now, 1000, "", 2, 9, 1e10, -1, now, 0.1,
        f"step|{sid}|1|0", sid, 1, 0, now])
    return flat[1:7]


def test_a_caller_goes_to_the_longest_idle_agent_who_speaks_their_language(store):
    available(store, "english_veteran", T0, ["en"])
    available(store, "bengali_newcomer", T0 + 50, ["en", "bn"])
    available(store, "bengali_veteran", T0 + 10, ["bn"])
    caller(store, "RAHIM", T0 + 60, "bn")
    match = store.match(["billing"], T0 + 61)
    assert (match.call_sid, match.agent) == ("RAHIM", "bengali_veteran")
    # The others stay available, in every set they were in.
    assert store.available_agents("billing") == ["english_veteran", "bengali_newcomer"]
    assert store.redis.zrange(store.keys.speaks("billing", "bn"), 0, -1) == ["bengali_newcomer"]


def test_nobody_free_speaks_it_the_caller_waits_and_keeps_their_place(store):
    available(store, "english_only", T0, ["en"])
    caller(store, "RAHIM", T0 + 1, "bn")
    assert store.match(["billing"], T0 + 2) is None
    assert store.waiting("billing") == ["RAHIM"]
    assert store.agent("english_only")["state"] == "available"


def test_a_caller_no_one_free_can_serve_does_not_hold_up_those_behind(store):
    available(store, "english_only", T0, ["en"])
    caller(store, "RAHIM", T0 + 1, "bn")
    caller(store, "JORDAN", T0 + 2, "en")
    match = store.match(["billing"], T0 + 3)
    assert (match.call_sid, match.agent) == ("JORDAN", "english_only")
    assert store.waiting("billing") == ["RAHIM"]


def test_the_any_language_step_lets_any_agent_of_the_department_take_the_caller(store):
    available(store, "english_only", T0, ["en"])
    caller(store, "RAHIM", T0 + 1, "bn")
    assert store.match(["billing"], T0 + 2) is None
    member, outcome, departments = fire_any_language(store, "RAHIM", T0 + 21)[:3]
    assert (member, outcome, departments) == ("step|RAHIM|1|0", "route", "billing")
    assert store.live("RAHIM").any_language is True
    match = store.match(["billing"], T0 + 21)
    assert (match.call_sid, match.agent) == ("RAHIM", "english_only")


def test_the_step_widens_every_queue_of_the_caller_and_keeps_their_place(store):
    caller(store, "RAHIM", T0, "bn")
    caller(store, "JORDAN", T0 + 5, "en")
    store.widen("RAHIM", ["support"])
    assert fire_any_language(store, "RAHIM", T0 + 20)[1:3] == ["route", "billing,support"]
    available(store, "support_en", T0 + 20, ["en"], departments=("support",))
    assert store.match(["billing", "support"], T0 + 21).call_sid == "RAHIM"


def test_the_step_while_ringing_marks_the_caller_but_routes_nothing(store):
    available(store, "bengali", T0, ["bn"])
    caller(store, "RAHIM", T0 + 1, "bn")
    assert store.match(["billing"], T0 + 2).agent == "bengali"
    assert fire_any_language(store, "RAHIM", T0 + 21)[1] == "done"
    assert store.live("RAHIM").any_language is True


def test_a_caller_without_a_language_takes_any_agent(store):
    available(store, "bengali", T0, ["bn"])
    caller(store, "CALLBACK", T0 + 1, "")
    assert store.match(["billing"], T0 + 2).agent == "bengali"


def test_an_agent_whose_languages_are_not_known_takes_anyone(store):
    # A presence set before agents had languages: routing as it was.
    available(store, "old_presence", T0, None)
    available(store, "bengali", T0 + 5, ["bn"])
    caller(store, "RAHIM", T0 + 10, "bn")
    assert store.match(["billing"], T0 + 11).agent == "old_presence"
    assert store.redis.zrange(store.keys.speaks("billing", "*"), 0, -1) == []


def test_going_away_leaves_every_language_set(store):
    available(store, "amy", T0, ["en", "bn"], departments=("billing", "support"))
    store.set_agent_state("amy", "away", ["billing", "support"], T0 + 1, "lunch")
    for department in ("billing", "support"):
        for language in ("en", "bn", "*"):
            assert store.redis.exists(store.keys.speaks(department, language)) == 0


def test_languages_changed_during_a_call_take_effect_when_it_ends(store):
    available(store, "amy", T0, ["en"])
    caller(store, "RAHIM", T0 + 1, "")
    assert store.match(["billing"], T0 + 2).agent == "amy"
    assert store.set_agent_languages("amy", ["en", "bn"]) == "ringing"
    assert store.agent("amy")["languages"] == "en,bn"
    assert store.agent("amy")["call"] == "RAHIM"  # the ring goes on
    assert store.finish_call("amy", "available", T0 + 30)
    assert store.redis.zrange(store.keys.speaks("billing", "bn"), 0, -1) == ["amy"]


def test_a_state_change_without_languages_keeps_those_redis_has(store):
    available(store, "amy", T0, ["bn"])
    store.set_agent_state("amy", "away", ["billing"], T0 + 1, "lunch")
    store.set_agent_state("amy", "available", ["billing"], T0 + 2)
    assert store.redis.zrange(store.keys.speaks("billing", "bn"), 0, -1) == ["amy"]


def test_agents_for_counts_who_could_take_the_caller_now(store):
    available(store, "english", T0, ["en"])
    available(store, "bengali", T0, ["bn"], departments=("support",))
    available(store, "unknown", T0, None)
    assert store.agents_for(["billing"], "bn", False) == {"unknown"}
    assert store.agents_for(["billing", "support"], "bn", False) == {"unknown", "bengali"}
    assert store.agents_for(["billing"], "bn", True) == {"english", "unknown"}
    assert store.agents_for(["billing"], "", False) == {"english", "unknown"}


def test_new_languages_keep_an_available_agents_idle_time(store):
    available(store, "amy", T0, ["en"])
    available(store, "ben", T0 + 5, ["bn"])
    assert store.set_agent_languages("amy", ["en", "bn"]) == "available"
    assert store.redis.zrange(store.keys.speaks("billing", "bn"), 0, -1) == ["amy", "ben"]
    assert store.redis.zrange(store.keys.speaks("billing", "en"), 0, -1) == ["amy"]
    assert store.set_agent_languages("amy", ["hi"]) == "available"
    assert store.redis.zrange(store.keys.speaks("billing", "bn"), 0, -1) == ["ben"]
    assert store.agent("amy")["since"] == str(T0)
    assert store.set_agent_languages("nobody", ["en"]) == ""
