"""What the agent confirmed having said (the console's greeting, apology and "anything
else?" lines) is kept on the wrap-up, through a whole call."""

from __future__ import annotations

from app.wrapup.models import Wrapup
from app.wrapup.services import AGENT_LINES
from tests.wrapup.test_wrapup import FORM, finished_call


def test_the_confirmed_lines_are_kept_and_shown(floor):
    amy, call = finished_call(floor)
    body = {**FORM, "words_confirmed": ["apology", "greeting"]}
    response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=body)
    assert response.status_code == 200, response.get_json()
    # In the console's order; "anything else?" follows the form's own check.
    assert response.get_json()["words_confirmed"] == ["greeting", "apology", "anything_else"]
    [row] = floor.rows(Wrapup)
    assert row.words_confirmed == ["greeting", "apology", "anything_else"]
    [event] = [e for e in floor.interaction(call.sid).events if e.kind == "wrapped_up"]
    assert event.detail["words_confirmed"] == ["greeting", "apology", "anything_else"]


def test_anything_else_unchecked_is_not_kept_as_said(floor):
    amy, call = finished_call(floor)
    body = {**FORM, "anything_else_asked": False, "words_confirmed": ["greeting",
                                                                     "anything_else"]}
    response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["words_confirmed"] == ["greeting"]


def test_a_wrap_up_without_the_field_confirmed_only_what_its_check_says(floor):
    amy, call = finished_call(floor)
    response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy", json=FORM)
    assert response.get_json()["words_confirmed"] == ["anything_else"]


def test_unknown_lines_are_refused(floor):
    amy, call = finished_call(floor)
    for words in (["a song"], "greeting", [3]):
        response = floor.api("POST", f"/api/calls/{call.sid}/wrapup", "amy",
                             json={**FORM, "words_confirmed": words})
        assert response.status_code == 400, words
        assert response.get_json()["error"]["details"]["field"] == "words_confirmed"
    assert floor.rows(Wrapup) == []


def test_the_wrap_up_knows_every_line_the_console_shows():
    from app.calls.words import LINES

    assert AGENT_LINES == LINES
