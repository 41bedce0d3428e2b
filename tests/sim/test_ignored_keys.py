"""Keys pressed while no <Gather> listens: Twilio drops them, and the caller is told so on
their own transcript (the terminal phone and the test phone show it), issue 18."""

from __future__ import annotations

import io

from tests.sim.apps import NUMBER, respond
from tests.sim.test_process import http_app, served  # noqa: F401 - fixtures

WELCOME = respond("<Say>Welcome to the line, please hold on for a moment</Say>",
                  "<Gather numDigits='1' action='/ivr/menu' timeout='5'>"
                  "<Say>Press one for billing</Say></Gather>",
                  "<Say>We did not hear anything</Say>")


ROUTES_HERE = {
    "/ivr/incoming": WELCOME,
    "/ivr/menu": lambda hit: respond(f"<Say>You chose {hit.params['Digits']}</Say>"),
}


def test_a_key_during_a_prompt_outside_a_gather_is_dropped_and_said(sim):
    emu, _app = sim(ROUTES_HERE)
    call = emu.dial_in("+15557770001", NUMBER)
    emu.run_until(lambda: any(h.kind == "say" for h in call.heard), timeout=10)
    assert not call.gathering
    call.press("1")  # during "Welcome...": no <Gather> yet
    emu.run_until(lambda: call.ended, timeout=60)
    ignored = [h for h in call.heard if h.kind == "ignored"]
    assert [h.text for h in ignored] == ["1"]
    assert "while nothing was listening" in ignored[0].describe()
    assert call.has_heard("We did not hear anything")  # as on Twilio: the key is gone
    assert not call.has_heard("You chose")


def test_a_key_during_a_gathers_prompt_is_kept(sim):
    emu, _app = sim(ROUTES_HERE)
    call = emu.dial_in("+15557770002", NUMBER)
    emu.run_until(lambda: call.gathering, timeout=30)
    call.press("2")  # while "Press one for billing" plays: the Gather has it
    emu.run_until(lambda: call.ended, timeout=60)
    assert call.has_heard("You chose 2")
    assert not [h for h in call.heard if h.kind == "ignored"]


def test_the_terminal_phone_says_a_key_was_not_heard(served):  # noqa: F811
    emu, _app = served
    emu.softphone("agent_42", answer_after=0.2)
    # The key goes at once, while the greeting (outside the <Gather>) is still being fetched
    # or said; then the menu's own key.
    stdin = io.StringIO("5\nwait 1.2\n1\nwait 0.6\nh\n")
    out = io.StringIO()
    from sim.phone import main

    assert main(["+15557770003", "--sim-url", emu.base_url], stdin=stdin, stdout=out) == 0
    text = out.getvalue()
    assert "You pressed 5 while nothing was listening: not heard" in text
    assert "Billing it is, you pressed 1" in text
