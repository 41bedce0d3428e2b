"""Conferences the way the call centre uses them: the caller waits in a room named after the
call, agents are added over REST, and hold, mute, coaching and transfers happen in the room."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException

from sim.testing import assert_heard, assert_not_heard, twilio_client
from tests.sim.apps import BASE, CALLER, NUMBER, hits, respond

ROOM = "room-1"
WAIT = respond("<Say>Please hold, an agent will be with you shortly</Say>",
               "<Play>/hold.mp3</Play>")


def caller_twiml(**attrs):
    extra = " ".join(f"{k}='{v}'" for k, v in attrs.items())
    return respond(
        "<Say>Connecting you</Say>",
        f"<Dial action='/dial-done'><Conference startConferenceOnEnter='false' "
        f"waitUrl='/wait' statusCallback='/conf-events' "
        f"statusCallbackEvent='start end join leave mute hold modify announcement' "
        f"participantLabel='customer' {extra}>{ROOM}</Conference></Dial>",
        "<Say>not reached</Say>")


@pytest.fixture
def room(sim):
    emu, app = sim({
        "/ivr/incoming": caller_twiml(),
        "/wait": WAIT,
        "/conf-events": lambda hit: ("", 204),
        "/agent-status": lambda hit: ("", 204),
        "/dial-done": lambda hit: respond(
            f"<Say>The call has ended ({hit.params['DialCallStatus']})</Say>"),
        "/hold-music": respond("<Play>/jazz.mp3</Play>"),
        "/announce": respond("<Say>This call may be recorded</Say>"),
        "/survey": respond("<Say>Please rate your call</Say>"),
    })
    client = twilio_client(emu)
    return emu, app, client


def add_agent(emu, client, identity="agent_42", **kw):
    agent = emu.softphone(identity)
    options = {"label": "agent", "start_conference_on_enter": True,
               "end_conference_on_exit": True, "beep": "false", "timeout": 20,
               "status_callback": f"{BASE}/agent-status",
               "status_callback_event": ["initiated", "ringing", "answered", "completed"]}
    options.update(kw)
    participant = client.conferences(ROOM).participants.create(
        from_=NUMBER, to=f"client:{identity}", **options)
    return agent, participant


def room_sid(emu, name=ROOM):
    """The room's CF SID: Twilio addresses a conference by it everywhere but when adding a
    participant (the OpenAPI description's pattern, checked by the emulator)."""
    return emu.conference(name).sid


def conf_events(app):
    return [h.params for h in hits(app, "/conf-events")]


def test_caller_waits_with_wait_music_until_the_agent_answers(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(20)
    assert call.in_conference
    conf = client.conferences.list(friendly_name=ROOM, status="init")[0]
    # The wait URL runs out after 3 s of speech and 5 s of music, and is fetched again.
    assert len(hits(app, "/wait")) == 3
    assert call.says()[:3] == ["Connecting you",
                               "Please hold, an agent will be with you shortly",
                               "Please hold, an agent will be with you shortly"]
    agent, participant = add_agent(emu, client)
    assert participant.call_sid.startswith("CA") and participant.label == "agent"
    assert participant.status == "queued"
    emu.advance(1)
    assert client.conferences(conf.sid).participants("agent").fetch().status == "ringing"
    agent.answer()
    assert client.conferences(conf.sid).fetch().status == "in-progress"
    waits = len(hits(app, "/wait"))
    emu.advance(30)
    assert len(hits(app, "/wait")) == waits  # the music stopped when the agent came
    last = call.heard[-1]
    assert last.kind == "conference" and last.detail["hears"] == ["client:agent_42"]
    assert agent.heard[-1].detail["hears"] == [CALLER]
    agent.say("Hello, how can I help?")
    call.say("My order is late")
    assert_heard(call, "how can I help")
    assert_heard(agent, "my order is late")

    agent.hangup()  # endConferenceOnExit: the room closes and the caller's Dial ends
    emu.run_until(lambda: call.ended)
    assert call.says()[-1] == "The call has ended (completed)"
    assert "not reached" not in call.heard_text()
    events = conf_events(app)
    assert [e["StatusCallbackEvent"] for e in events] == [
        "participant-join", "participant-join", "conference-start", "participant-leave",
        "participant-leave", "conference-end"]
    assert [int(e["SequenceNumber"]) for e in events] == list(range(1, 7))
    join = events[0]
    assert join["CallSid"] == call.sid and join["ParticipantLabel"] == "customer"
    assert join["StartConferenceOnEnter"] == "false" and join["EndConferenceOnExit"] == "false"
    assert join["Muted"] == "false" and join["Hold"] == "false" and join["Coaching"] == "false"
    assert join["FriendlyName"] == ROOM and join["ConferenceSid"] == conf.sid
    assert events[3]["CallSid"] == participant.call_sid
    assert events[3]["ReasonParticipantLeft"] == "participant_hung_up"
    assert events[4]["ReasonParticipantLeft"] == "moderator_ended_conference"
    assert events[5]["ReasonConferenceEnded"] == (
        "participant-with-end-conference-on-exit-left")
    assert events[5]["CallSidEndingConference"] == participant.call_sid
    agent_status = [h.params["CallStatus"] for h in hits(app, "/agent-status")]
    assert agent_status == ["initiated", "ringing", "in-progress", "completed"]
    assert client.conferences(conf.sid).fetch().status == "completed"


def test_hold_plays_hold_music_to_the_held_party_who_hears_nobody(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(2)
    agent, p = add_agent(emu, client)
    agent.answer()
    client.conferences(room_sid(emu)).participants("customer").update(
        hold=True, hold_url=f"{BASE}/hold-music", hold_method="POST")
    emu.advance(12)
    assert len(hits(app, "/hold-music")) == 3  # looped: 5 s of jazz each time
    held = [h for h in call.heard if h.kind == "conference"][-1]
    assert held.detail["hold"] is True and held.detail["hears"] == []
    assert [h.url for h in call.heard if h.source == "hold"][0] == f"{BASE}/jazz.mp3"
    agent.say("I will check with my supervisor")
    assert_not_heard(call, "supervisor")
    call.say("hello?")
    assert_not_heard(agent, "hello?")
    assert agent.heard[-1].detail["hears"] == []
    part = client.conferences(room_sid(emu)).participants("customer").fetch()
    assert part.hold is True
    client.conferences(room_sid(emu)).participants("customer").update(hold=False)
    emu.advance(10)
    assert len(hits(app, "/hold-music")) == 3
    agent.say("Thanks for waiting")
    assert_heard(call, "thanks for waiting")
    events = [e["StatusCallbackEvent"] for e in conf_events(app)]
    assert "participant-hold" in events and "participant-unhold" in events
    hold_event = next(e for e in conf_events(app)
                      if e["StatusCallbackEvent"] == "participant-hold")
    assert hold_event["Hold"] == "true" and hold_event["CallSid"] == call.sid
    agent.hangup()


def test_mute_silences_a_participant(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    agent, _ = add_agent(emu, client)
    emu.advance(1)
    agent.answer()
    client.conferences(room_sid(emu)).participants("agent").update(muted=True)
    agent.say("muted words")
    assert_not_heard(call, "muted words")
    client.conferences(room_sid(emu)).participants("agent").update(muted=False)
    agent.say("audible words")
    assert_heard(call, "audible words")
    names = [e["StatusCallbackEvent"] for e in conf_events(app)]
    assert names.count("participant-mute") == 1 and names.count("participant-unmute") == 1
    agent.hangup()


def test_coach_is_heard_only_by_the_coached_agent(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    agent, agent_p = add_agent(emu, client)
    emu.advance(1)
    agent.answer()
    supervisor = emu.softphone("supervisor_1", answer_after=1)
    coach = client.conferences(ROOM).participants.create(
        from_=NUMBER, to="client:supervisor_1", label="supervisor", coaching=True,
        call_sid_to_coach=agent_p.call_sid, beep="false")
    emu.run_until(lambda: supervisor.call is not None)
    supervisor.say("Offer the refund")
    assert_heard(agent, "offer the refund")
    assert_not_heard(call, "offer the refund")
    call.say("I want my money back")
    assert_heard(supervisor, "money back")
    assert supervisor.heard[-2].detail["hears"] == sorted([CALLER, "client:agent_42"])
    assert [h.detail["hears"] for h in call.heard if h.kind == "conference"][-1] == [
        "client:agent_42"]
    fetched = client.conferences(room_sid(emu)).participants(coach.call_sid).fetch()
    assert fetched.coaching is True and fetched.call_sid_to_coach == agent_p.call_sid
    # Barge: stop coaching and the customer hears the supervisor too.
    client.conferences(room_sid(emu)).participants("supervisor").update(coaching=False)
    supervisor.say("I am the supervisor")
    assert_heard(call, "I am the supervisor")
    modify = [e for e in conf_events(app) if e["StatusCallbackEvent"] == "participant-modify"]
    assert modify and modify[0]["Coaching"] == "false"
    agent.hangup()


def test_labels_lists_and_errors(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    add_agent(emu, client)
    emu.advance(1)
    parts = client.conferences(room_sid(emu)).participants.list()
    assert sorted(p.label for p in parts) == ["agent", "customer"]
    with pytest.raises(TwilioRestException) as exc:
        client.conferences(ROOM).participants.create(from_=NUMBER, to="client:x", label="agent")
    assert exc.value.status == 400
    with pytest.raises(TwilioRestException) as exc:
        client.conferences(ROOM).participants.create(from_=NUMBER, to="client:x", timeout=2)
    assert exc.value.status == 400
    with pytest.raises(TwilioRestException) as exc:
        client.conferences(ROOM).participants.create(from_=NUMBER, to="not a number")
    assert exc.value.code == 21211
    with pytest.raises(TwilioRestException) as exc:
        client.conferences("CF" + "0" * 32).participants.create(from_=NUMBER, to="client:x")
    assert exc.value.code == 20404
    with pytest.raises(TwilioRestException) as exc:
        client.conferences(room_sid(emu)).participants("nobody").fetch()
    assert exc.value.code == 20404
    call.hangup()


def test_unanswered_participant_is_dropped_and_the_caller_keeps_waiting(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    agent, p = add_agent(emu, client, timeout=10)
    emu.advance(11)  # Twilio adds 5 s to an API-created call's Timeout
    assert client.calls(p.call_sid).fetch().status == "ringing"
    emu.advance(5)
    assert client.calls(p.call_sid).fetch().status == "no-answer"
    assert [x.label for x in client.conferences(room_sid(emu)).participants.list()] == ["customer"]
    assert call.in_conference
    assert [h.params["CallStatus"] for h in hits(app, "/agent-status")][-1] == "no-answer"
    assert [(h.kind, h.text) for h in agent.heard][-2:] == [
        ("missed", "stopped ringing"), ("hangup", "no-answer")]
    call.hangup()


def test_rest_redirect_takes_a_caller_out_of_the_conference(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(5)
    client.calls(call.sid).update(url=f"{BASE}/survey", method="POST")
    emu.run_until(lambda: call.ended)
    assert call.says()[-1] == "Please rate your call"
    assert hits(app, "/dial-done") == []
    leave = [e for e in conf_events(app) if e["StatusCallbackEvent"] == "participant-leave"]
    assert leave[0]["ReasonParticipantLeft"] == "participant_updated_via_api"
    assert client.conferences.list(friendly_name=ROOM)[0].status == "completed"
    end = conf_events(app)[-1]
    assert end["StatusCallbackEvent"] == "conference-end"
    assert end["ReasonConferenceEnded"] == "last-participant-left"


def test_removing_a_participant_continues_its_twiml(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    agent, _ = add_agent(emu, client, end_conference_on_exit=False)
    emu.advance(1)
    agent.answer()
    assert client.conferences(room_sid(emu)).participants("customer").delete() is True
    emu.run_until(lambda: call.ended)
    assert call.says()[-1] == "The call has ended (completed)"
    assert agent.call is not None  # the agent stays in the room alone
    agent.hangup()


def test_ending_the_conference_over_rest_and_announcements(room):
    emu, app, client = room
    call = emu.dial_in(CALLER, NUMBER)
    agent, _ = add_agent(emu, client, end_conference_on_exit=False)
    emu.advance(1)
    agent.answer()
    conf = client.conferences.list(friendly_name=ROOM, status="in-progress")[0]
    client.conferences(conf.sid).update(announce_url=f"{BASE}/announce")
    emu.advance(5)
    assert_heard(call, "This call may be recorded")
    assert_heard(agent, "This call may be recorded")
    assert conf_events(app)[-1]["StatusCallbackEvent"] == "announcement-end"
    client.conferences(conf.sid).update(status="completed")
    emu.run_until(lambda: call.ended and agent.call is None)
    leaves = [e["ReasonParticipantLeft"] for e in conf_events(app)
              if e["StatusCallbackEvent"] == "participant-leave"]
    assert leaves == ["conference_ended_via_api", "conference_ended_via_api"]
    assert conf_events(app)[-1]["ReasonConferenceEnded"] == "conference-ended-via-api"
    assert client.conferences(conf.sid).fetch().status == "completed"


def test_first_participant_fixes_the_conference_callback(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Dial><Conference statusCallback='/first' "
                                 "statusCallbackEvent='join'>r2</Conference></Dial>"),
        "/second": respond("<Dial><Conference statusCallback='/second-cb' "
                           "statusCallbackEvent='join'>r2</Conference></Dial>"),
        "/first": lambda hit: ("", 204),
    })
    first = emu.dial_in(CALLER, NUMBER)
    emu.add_application(f"{BASE}/second")
    second = emu.softphone("agent_2").place_call()
    emu.advance(1)
    assert [h.params["CallSid"] for h in hits(app, "/first")] == [first.sid, second.sid]
    assert hits(app, "/second-cb") == []
    first.hangup()
    second.hangup()


def test_two_participants_start_a_conference_and_beeps_announce_arrivals(sim):
    emu, app = sim({"/ivr/incoming": respond("<Dial><Conference>r3</Conference></Dial>")})
    a = emu.dial_in(CALLER, NUMBER)
    emu.advance(1)
    assert emu.conference("r3").status == "init"  # one participant alone does not start it
    assert [h.url for h in a.heard if h.kind == "play"] == ["builtin:hold-music"]
    b = emu.dial_in("+919800000009", NUMBER)
    emu.advance(1)
    assert emu.conference("r3").status == "in-progress"
    assert any(h.kind == "beep" for h in a.heard)
    b.hangup()
    a.hangup()
    assert emu.conference("r3").reason_ended == "last-participant-left"


def test_twiml_coach_muted_and_max_participants(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Dial><Conference participantLabel='customer' "
                                 "maxParticipants='3'>r4"
                                 "</Conference></Dial>"),
        "/agent": respond("<Dial><Conference maxParticipants='3'>r4</Conference></Dial>"),
        "/listen": lambda hit: respond(
            f"<Dial><Conference muted='true' coach='{hit.params['CoachSid']}' "
            "maxParticipants='3'>r4</Conference></Dial>"),
        "/late": respond("<Dial action='/full'><Conference>r4</Conference></Dial>"),
        "/full": lambda hit: respond(f"<Say>dial {hit.params['DialCallStatus']}</Say>"),
    })
    customer = emu.dial_in(CALLER, NUMBER)
    emu.add_application(f"{BASE}/agent", sid="AP" + "a" * 32)
    emu.add_application(f"{BASE}/listen", sid="AP" + "b" * 32)
    emu.add_application(f"{BASE}/late", sid="AP" + "c" * 32)
    agent = emu.softphone("agent_1")
    agent_call = agent.place_call(application_sid="AP" + "a" * 32)
    emu.advance(1)
    boss = emu.softphone("boss")
    boss.place_call(params={"CoachSid": agent_call.sid}, application_sid="AP" + "b" * 32)
    emu.advance(1)
    boss.say("muted coach")
    assert_not_heard(agent, "muted coach")  # muted: nobody hears the listener
    client = twilio_client(emu)
    client.conferences(room_sid(emu, "r4")).participants(boss.call.sid).update(muted=False)
    boss.say("whisper")
    assert_heard(agent, "whisper")
    assert_not_heard(customer, "whisper")
    late = emu.softphone("late").place_call(application_sid="AP" + "c" * 32)
    emu.run_until(lambda: late.ended)
    assert late.says() == ["dial failed"]
    customer.hangup()
    agent.hangup()
    boss.hangup()


def test_refusals_twilio_documents_no_code_for_carry_the_generic_400(room):
    """A duplicate label, or adding to a conference that has ended: Twilio documents neither,
    so the emulator refuses with 400 and the dictionary's generic code 400 "Bad Request",
    nothing an app could key on (docs/emulator.md)."""
    emu, app, client = room
    emu.dial_in(CALLER, NUMBER)
    emu.advance(1)
    conf = emu.conference(ROOM)
    with pytest.raises(TwilioRestException) as duplicate:
        client.conferences(conf.sid).participants.create(
            from_=NUMBER, to="client:agent_x", label="customer")
    assert (duplicate.value.status, duplicate.value.code) == (400, 400)
    client.conferences(conf.sid).update(status="completed")
    emu.advance(1)
    with pytest.raises(TwilioRestException) as ended:
        client.conferences(conf.sid).participants.create(from_=NUMBER, to="client:agent_x")
    assert (ended.value.status, ended.value.code) == (400, 400)


def test_an_open_softphone_call_moved_between_rooms_by_a_call_update(sim):
    """An agent's persistent line: the softphone's outgoing call waits alone in a room of its
    own (waitUrl="": silence), and `Calls(sid).update(twiml=...)` moves it into the caller's
    room (leaving its own with participant_updated_via_api; no Dial action, no new call)."""
    emu, app = sim({
        "/ivr/incoming": caller_twiml(), "/wait": WAIT, "/conf-events": lambda hit: ("", 204),
        "/line": respond(
            "<Dial action='/line-done'><Conference waitUrl='' beep='false' "
            "startConferenceOnEnter='true' endConferenceOnExit='true' "
            "statusCallback='/line-events' statusCallbackEvent='join leave' "
            "participantLabel='agent'>line-agent_42</Conference></Dial>"),
        "/line-events": lambda hit: ("", 204),
    })
    client = twilio_client(emu)
    emu.add_application(f"{BASE}/line")
    agent = emu.softphone("agent_42")
    line = agent.place_call(params={"Line": "open"})
    emu.advance(2)
    assert line.in_conference and emu.conference("line-agent_42").status == "init"
    assert agent.heard[-1].kind == "silence" and agent.heard[-1].describe() == (
        "Silence (no music)")
    caller = emu.dial_in(CALLER, NUMBER)
    emu.advance(5)
    calls_before = len(emu.store.calls)
    client.calls(line.sid).update(
        twiml=f"<Response><Dial action='{BASE}/line-done'><Conference beep='false' "
              f"startConferenceOnEnter='true' endConferenceOnExit='true' "
              f"participantLabel='agent'>{ROOM}</Conference></Dial></Response>")
    emu.advance(1)
    assert len(emu.store.calls) == calls_before  # an update, not a creation
    assert not [e for e in emu.events if e["type"] == "call_queued"]
    room = emu.conference(ROOM)
    assert line.sid in room.participants and room.status == "in-progress"
    left = [h.params for h in hits(app, "/line-events")
            if h.params["StatusCallbackEvent"] == "participant-leave"]
    assert left and left[0]["ReasonParticipantLeft"] == "participant_updated_via_api"
    assert not hits(app, "/line-done")  # a REST update does not ask the Dial's action
    agent.say("Hello from the line")
    assert_heard(caller, "Hello from the line")
