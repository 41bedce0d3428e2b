"""The dashboard's server-sent events: panels first, then each floor event as it happens."""

from __future__ import annotations

import json
from collections.abc import Iterator

from app.agents import services as agents
from app.extensions import db
from app.queue import queue_services
from tests.dashboard.conftest import PASSWORD, sign_in
from tests.flows.conftest import ASHA, NUMBER


class Stream:
    """Reads an SSE response event by event (the test client runs the generator lazily)."""

    def __init__(self, response) -> None:
        self.response = response
        self.chunks: Iterator[bytes] = iter(response.response)
        self.buffer = ""
        self.floor: list[dict] = []  # every floor event read so far, in order

    def next(self, kind: str | None = None, limit: int = 50) -> tuple[str, dict]:
        for _ in range(limit):
            while "\n\n" not in self.buffer:
                self.buffer += next(self.chunks).decode()
            block, self.buffer = self.buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines()
                          if ": " in line and not line.startswith(":"))
            if "data" not in fields:
                continue
            data = json.loads(fields["data"]) | ({"_id": fields["id"]} if "id" in fields else {})
            if fields.get("event") == "floor":
                self.floor.append(data)
            if kind is None or fields.get("event") == kind:
                return fields.get("event", ""), data
        raise AssertionError(f"no {kind} event in {limit} events")

    def close(self) -> None:
        self.response.close()


def test_a_new_connection_gets_panels_and_figures_then_replays_after_its_last_id(app,
                                                                                 supervisor):
    with app.app_context():
        events = queue_services().events
        events.supervisor_alert("long_wait", call_sid="CA" + "7" * 32, department="billing",
                                waited=40)
        events.call_event("CA" + "7" * 32, "escalated", step="offer", at=45, waited=45.2)
    stream = Stream(supervisor.get("/supervisor/events?after=0-0", buffered=False))
    try:
        kind, panels = stream.next()
        assert kind == "snapshot"
        assert set(panels["panels"]) >= {"queues", "agents", "calls", "callbacks", "alerts"}
        assert "Long wait" in panels["panels"]["alerts"]
        kind, figures = stream.next()
        assert kind == "figures" and "Service level" in figures["html"]
        _, alert = stream.next("floor")
        assert alert["severity"] == "bad" and "has waited 40 s in billing" in alert["text"]
        _, step = stream.next("floor")
        assert step["text"].endswith("offered a message or a callback at 45 s")
    finally:
        stream.close()
    # A browser reconnecting with Last-Event-ID gets only what came after it.
    resumed = Stream(supervisor.get("/supervisor/events",
                                    headers={"Last-Event-ID": alert["_id"]}, buffered=False))
    try:
        _, again = resumed.next("floor")
        assert again["_id"] == step["_id"]
    finally:
        resumed.close()


def supervisor_feed(floor, client, departments: list[str]) -> Stream:
    """Sam, a supervisor of `departments`, signed in with the floor's live feed open."""
    with floor.app.app_context():
        agents.create_agent("Sam Supervisor", "sam", role="supervisor", departments=departments,
                            password=PASSWORD)
        db.session.commit()
    sign_in(client, "sam")
    return Stream(client.get("/supervisor/events", buffered=False))


def test_a_caller_waiting_and_each_step_firing_reach_an_open_dashboard(floor, client):
    floor.agent("amy", ["billing"], state="away")  # signed in but busy: the caller waits
    stream = supervisor_feed(floor, client, ["billing"])
    try:
        stream.next("snapshot")
        call = floor.emu.dial_in(ASHA, NUMBER)
        floor.wait_until(lambda: call.gathering, timeout=60)
        call.press("1")  # billing
        floor.wait_until(lambda: call.in_conference, timeout=60)

        _, queued = stream.next("floor")
        assert queued["type"] == "call.queued" and queued["call_sid"] == call.sid
        _, panels = stream.next("snapshot")
        queues = panels["panels"]["queues"]
        assert f'data-call="{call.sid}"' in queues and "Asha" in queues
        assert panels["counts"]["waiting"] == 1

        floor.wait(21)  # the apology at 0 s, a higher priority at 20 s
        stream.next("floor")
        _, panels = stream.next("snapshot")
        texts = [e["text"] for e in stream.floor]
        assert "Asha: apology and position announced at 0 s" in texts, texts
        assert "Asha: priority raised at 20 s" in texts, texts
        assert 'class="step fired step-raise_priority"' in panels["panels"]["queues"]
        assert 'class="step step-offer"' in panels["panels"]["queues"]  # not yet
    finally:
        stream.close()
        call.hangup()
