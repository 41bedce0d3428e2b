"""The floor shows each waiting caller's language and how many agents could take them now."""

from __future__ import annotations

import re
import time

from app.queue import queue_services

RAHIM = "CA" + "b" * 32
JORDAN = "CA" + "e" * 32


def waiting_callers(supervisor) -> dict[str, dict]:
    floor = supervisor.get("/supervisor/api/floor").get_json()
    billing = next(q for q in floor["queues"] if q["slug"] == "billing")
    return {c["call_sid"]: c for c in billing["waiting"]}


def row_of(html: str, sid: str) -> str:
    match = re.search(rf'<tr data-call="{sid}".*?</tr>', html, re.S)
    assert match, f"no row for {sid}"
    return match.group(0)


def test_each_waiting_caller_shows_their_language_and_who_could_take_them(app, supervisor):
    with app.app_context():
        store = queue_services().store
        now = time.time()
        store.enqueue(RAHIM, "billing", priority=0, since=now - 12, number="+8801712345678",
                      department_name="বিলিং", language="bn")
        store.enqueue(JORDAN, "billing", priority=0, since=now - 5, number="+12025550143",
                      department_name="Billing", language="en")
        # Amy (English only) is free; Sam (Bengali) is away. Nobody is offered anyone here:
        # the floor is read as it stands.
        store.set_agent_state("amy", "available", ["billing"], now - 60, languages=["en"])
        store.set_agent_state("sam", "away", ["billing"], now - 60, "meeting",
                              languages=["bn", "en"])

    callers = waiting_callers(supervisor)
    assert callers[RAHIM]["language"] == "bn" and callers[RAHIM]["language_name"] == "বাংলা"
    assert callers[RAHIM]["could_take"] == 0 and callers[RAHIM]["any_language"] is False
    assert callers[JORDAN]["could_take"] == 1
    html = supervisor.get("/supervisor").get_data(as_text=True)
    rahim = row_of(html, RAHIM)
    assert 'lang="bn"' in rahim and "বাংলা" in rahim
    assert 'data-testid="could-take" data-count="0"' in rahim
    assert "nobody free in their queues speaks বাংলা" in rahim
    assert 'data-count="1"' in row_of(html, JORDAN) and "1 agent<" in row_of(html, JORDAN)
    agents = supervisor.get("/supervisor/api/floor").get_json()["agents"]
    assert {a["identity"]: a["languages"] for a in agents}["sam"] == ["bn", "en"]

    # Sam comes back: a Bengali speaker is free.
    with app.app_context():
        queue_services().store.set_agent_state("sam", "available", ["billing"], time.time())
    assert waiting_callers(supervisor)[RAHIM]["could_take"] == 1
    # Sam leaves again, and the ladder's any_language step fires: Amy could take him.
    with app.app_context():
        queue_services().store.set_agent_state("sam", "away", ["billing"], time.time(), "meeting")
        queue_services().store.set_call_fields(RAHIM, any_language="1")
    callers = waiting_callers(supervisor)
    assert callers[RAHIM]["any_language"] is True and callers[RAHIM]["could_take"] == 1
    assert "any agent may take them" in row_of(supervisor.get("/supervisor").get_data(
        as_text=True), RAHIM)
