"""The agent's line without a floor: its TwiML, and its Dial action when Redis is down."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import redis

from app.embedded_redis import free_port
from app.queue.agentline import AgentLines
from app.queue.keys import Keys
from app.queue.lines import LineBook


def test_the_lines_dial_action_keeps_the_line_in_its_room_when_redis_is_down(app):
    """The room under the line ended while Redis is unreachable: the agent hears their own
    room again (silence), not the safe fallback that would hang their line up."""
    with app.app_context():
        from app.queue import queue_services

        dead = redis.Redis(port=free_port(), socket_connect_timeout=0.2)
        lines = AgentLines(queue_services().service, LineBook(dead, Keys()), gateway=None)
        doc = ET.fromstring(str(lines.dial_ended("amy", "CA" + "1" * 32, "in-progress", "")))
    dial = doc.find("Dial")
    room = dial.find("Conference")
    assert room.text == "line-amy" and room.get("waitUrl") == ""
    assert room.get("startConferenceOnEnter") == "true"
    assert room.get("endConferenceOnExit") == "true"
    assert dial.get("action").endswith("/queue/line?agent=amy&call=")
