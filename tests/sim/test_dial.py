"""`<Dial>` to numbers and softphones: ringing, answering, bridging, and the Dial action."""

from __future__ import annotations

from tests.sim.apps import CALLER, NUMBER, hits, respond

AGENT = "+15557654321"


def routes(dial: str, **extra):
    return {"/ivr/incoming": respond("<Say>Connecting</Say>", dial, "<Say>after dial</Say>"),
            "/dialed": lambda hit: respond(f"<Say>status {hit.params['DialCallStatus']}</Say>"),
            **extra}


def test_number_answers_after_a_delay_and_the_bridge_ends_with_the_action(sim):
    emu, app = sim(routes(f"<Dial action='/dialed' callerId='{NUMBER}'>{AGENT}</Dial>"))
    agent = emu.phone(AGENT, answer_after=4)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: agent.call is not None)
    assert call.activity == "bridged"
    leg = agent.call
    assert leg.direction == "outbound-dial" and leg.parent_call_sid == call.sid
    assert leg.from_ == NUMBER
    emu.advance(30)
    agent.hangup()
    emu.run_until(lambda: call.ended)
    params = hits(app, "/dialed")[0].params
    assert params["DialCallStatus"] == "completed"
    assert params["DialCallSid"] == leg.sid
    assert params["DialCallDuration"] == "30"
    assert call.says() == ["Connecting", "status completed"]
    connected = [h for h in call.heard if h.kind == "connected"][0]
    assert connected.detail["to"] == AGENT
    assert agent.heard[0].kind == "ringing"


def test_dial_times_out_with_no_answer(sim):
    emu, app = sim(routes(f"<Dial action='/dialed' timeout='10'>{AGENT}</Dial>"))
    emu.phone(AGENT, policy="no-answer")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert hits(app, "/dialed")[0].params["DialCallStatus"] == "no-answer"
    dial_started = next(h.t for h in call.heard if h.kind == "ringback")
    status_at = next(h.t for h in call.heard if h.text == "status no-answer")
    assert status_at - dial_started == 10


def test_busy_number_and_no_action_continues_with_next_verb(sim):
    emu, app = sim(routes(f"<Dial>{AGENT}</Dial>"))
    emu.phone(AGENT, policy="busy")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["Connecting", "after dial"]
    leg = next(c for c in emu.store.calls.values() if c.parent_call_sid == call.sid)
    assert leg.status == "busy"


def test_dial_client_rings_the_softphone_with_parameters(sim):
    emu, app = sim(routes(
        "<Dial action='/dialed'><Client><Identity>agent_42</Identity>"
        "<Parameter name='customer' value='Asha'/></Client></Dial>"))
    agent = emu.softphone("agent_42")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: agent.is_ringing)
    assert agent.offered_params == {"customer": "Asha"}
    agent.answer()
    assert call.activity == "bridged"
    agent.say("Hello, this is Priya")
    assert call.heard[-1].kind == "speech" and call.heard[-1].text == "Hello, this is Priya"
    call.say("Hi Priya")
    assert agent.heard_text().endswith("Hi Priya")
    call.hangup()
    emu.advance(1)
    assert agent.call is None
    assert hits(app, "/dialed")[0].params["DialCallStatus"] == "completed"
    assert emu.store.calls[hits(app, "/dialed")[0].params["DialCallSid"]].to == (
        "client:agent_42")


def test_softphone_rejecting_is_busy_and_caller_hangup_still_requests_action(sim):
    emu, app = sim(routes("<Dial action='/dialed'><Client>agent_7</Client></Dial>"))
    agent = emu.softphone("agent_7")
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: agent.is_ringing)
    agent.reject()
    emu.run_until(lambda: call.ended)
    assert hits(app, "/dialed")[0].params["DialCallStatus"] == "busy"


def test_offline_softphone_never_answers(sim):
    emu, app = sim(routes("<Dial action='/dialed' timeout='5'><Client>nobody</Client></Dial>"))
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert hits(app, "/dialed")[0].params["DialCallStatus"] == "no-answer"


def test_auto_answer_policy_for_softphones(sim):
    emu, app = sim(routes("<Dial action='/dialed'><Client>agent_9</Client></Dial>"))
    agent = emu.softphone("agent_9", answer_after=3)
    call = emu.dial_in(CALLER, NUMBER)
    waited = emu.run_until(lambda: agent.call is not None)
    assert round(waited, 1) == round(emu.say_seconds("Connecting") + 3, 1)
    call.hangup()


def test_first_of_several_to_answer_wins(sim):
    emu, app = sim(routes(f"<Dial action='/dialed'><Number>{AGENT}</Number>"
                          "<Number>+15550000001</Number></Dial>"))
    emu.phone(AGENT, answer_after=8)
    fast = emu.phone("+15550000001", answer_after=2)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: fast.call is not None)
    slow_leg = next(c for c in emu.store.calls.values() if c.to == AGENT)
    assert slow_leg.status == "canceled"
    fast.hangup()
    emu.run_until(lambda: call.ended)
    assert hits(app, "/dialed")[0].params["DialCallSid"] == fast.call_sids[0]


def test_client_outgoing_call_posts_the_twiml_app(sim):
    emu, app = sim({"/softphone/voice": lambda hit: respond(
        f"<Say>Calling {hit.params['To']}</Say>")})
    twiml_app = emu.add_application("https://ivr.example.test/softphone/voice")
    agent = emu.softphone("agent_42")
    call = agent.place_call(to="+15551230000", params={"callbackId": "cb_9"})
    emu.run_until(lambda: call.ended)
    params = hits(app, "/softphone/voice")[0].params
    assert params["From"] == "client:agent_42" and params["Caller"] == "client:agent_42"
    assert params["Direction"] == "inbound"
    assert params["ApplicationSid"] == twiml_app.sid
    assert params["To"] == "+15551230000" and params["callbackId"] == "cb_9"
    assert agent.says() == ["Calling +15551230000"]
