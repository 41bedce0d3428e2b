"""The ladder-action registry: one list the queue, the admin form and the dashboard read."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.admin import forms
from app.dashboard import describe, filters
from app.floor import ladder_actions
from app.floor.ladder_actions import WIDEN_TO, LadderAction
from app.queue import lua
from app.queue.ladder import InvalidLadder, parse_ladder


def test_every_action_has_its_branch_in_the_hold_clocks_lua():
    for name in ladder_actions.ACTIONS:
        assert f"action == '{name}'" in lua.FIRE_STEPS.body, name


@pytest.fixture
def new_action(monkeypatch: pytest.MonkeyPatch) -> LadderAction:
    """A new action, registered the way docs/architecture.md tells: one entry."""
    action = LadderAction("escalate", "Escalate to the senior desk", "Senior",
                          "sent to the senior desk", "adds the senior desk's queue",
                          fields=(WIDEN_TO,))
    monkeypatch.setitem(ladder_actions.ACTIONS, action.name, action)
    return action


def test_a_new_action_is_one_entry_for_every_reader(new_action):
    form = MultiDict([("step-0-at", "10"), ("step-0-action", "escalate"),
                      ("step-0-departments", "vip"), ("step-1-at", "45"),
                      ("step-1-action", "offer")])
    rows, steps = forms.ladder(form, overflow=[])
    assert rows[0] == {"at": 10, "action": "escalate", "departments": ["vip"]}
    assert steps[0].params == {"departments": ["vip"]}
    assert "Senior" in filters._chips((("escalate", 10, False),))
    feed = describe.describe({"type": "call.escalated", "call_sid": "CA1", "step": "escalate",
                              "at": 10}, caller=lambda sid: "Asha")
    assert feed["text"] == "Asha: sent to the senior desk at 10 s"


def test_field_rules_and_the_required_offer_come_from_the_registry():
    with pytest.raises(InvalidLadder, match="'by' must be a whole number"):
        parse_ladder([{"at": 0, "action": "raise_priority", "by": 0},
                      {"at": 45, "action": "offer"}])
    with pytest.raises(InvalidLadder, match="Unknown action"):
        parse_ladder([{"at": 0, "action": ["offer"]}])
    with pytest.raises(InvalidLadder, match="needs an 'offer' step"):
        parse_ladder([{"at": 0, "action": "announce"}])
    steps = parse_ladder([{"at": 30, "action": "widen"}, {"at": 45, "action": "offer"}],
                         overflow_default=["sales"])
    assert steps[0].params == {"departments": ["sales"]}
    assert steps[0].action == "widen" and [s.action for s in steps][-1] == "offer"
