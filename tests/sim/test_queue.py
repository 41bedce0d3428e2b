"""`<Enqueue>`: wait music with queue parameters, `<Leave>`, `<Dial><Queue>`, REST dequeue."""

from __future__ import annotations

from tests.sim.apps import CALLER, NUMBER, hits, respond

ENQUEUE = respond("<Enqueue action='/queue/done' waitUrl='/queue/wait'>support</Enqueue>",
                  "<Say>after enqueue</Say>")


def done(hit):
    return respond(f"<Say>result {hit.params['QueueResult']}</Say>")


def test_wait_url_is_requested_again_when_it_runs_out_with_queue_parameters(sim):
    emu, app = sim({"/ivr/incoming": ENQUEUE, "/queue/done": done,
                    "/queue/wait": lambda hit: respond(
                        f"<Say>You are number {hit.params['QueuePosition']}</Say>",
                        "<Play>/music.mp3</Play>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(20)
    waits = hits(app, "/queue/wait")
    assert len(waits) == 4  # at 0, 6.6, 13.2 and 19.8 s: 1.6 s of speech, 5 s of music
    first = waits[0].params
    assert first["QueuePosition"] == "1" and first["CurrentQueueSize"] == "1"
    assert first["QueueSid"].startswith("QU") and first["MaxQueueSize"] == "100"
    assert first["QueueTime"] == "0" and first["AvgQueueTime"] == "0"
    assert waits[1].params["QueueTime"] == "6"
    assert call.in_queue
    assert call.says()[:2] == ["You are number 1", "You are number 1"]
    call.hangup()
    emu.advance(1)
    assert hits(app, "/queue/done")[0].params["QueueResult"] == "hangup"


def test_leave_in_the_wait_url_goes_to_the_action(sim):
    emu, app = sim({"/ivr/incoming": ENQUEUE, "/queue/done": done,
                    "/queue/wait": respond("<Say>Please hold</Say>", "<Leave/>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.ended)
    assert call.says() == ["Please hold", "result leave"]
    assert hits(app, "/queue/done")[0].params["QueueSid"].startswith("QU")


def test_dial_queue_bridges_the_front_caller(sim):
    emu, app = sim({
        "/ivr/incoming": ENQUEUE, "/queue/done": done,
        "/queue/wait": respond("<Play>/music.mp3</Play>"),
        "/agent": respond("<Dial action='/agent/done'><Queue>support</Queue></Dial>"),
        "/agent/done": lambda hit: respond(f"<Say>agent {hit.params['DialCallStatus']}</Say>"),
    })
    first = emu.dial_in(CALLER, NUMBER)
    second = emu.dial_in("+919800000002", NUMBER)
    emu.advance(12)
    emu.add_application("https://ivr.example.test/agent")
    agent = emu.softphone("agent_1")
    agent_call = agent.place_call()
    emu.run_until(lambda: first.activity == "bridged")
    assert second.in_queue
    q = emu.store.queue_by_name("support")
    assert [m.call_sid for m in q.members] == [second.sid]
    agent_call.say("How can I help?")
    assert first.heard[-1].text == "How can I help?"
    emu.advance(5)
    agent_call.hangup()
    emu.run_until(lambda: first.ended)
    assert first.says()[-1] == "result bridged"
    assert q.average_wait() == 12


def test_rest_dequeue_redirects_the_member(sim, ):
    from sim.testing import twilio_client

    emu, app = sim({"/ivr/incoming": ENQUEUE, "/queue/done": done,
                    "/queue/wait": respond("<Play>/music.mp3</Play>"),
                    "/picked": respond("<Say>An agent is ready</Say>")})
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(3)
    client = twilio_client(emu)
    queue = client.queues.list()[0]
    assert queue.friendly_name == "support" and queue.current_size == 1
    members = client.queues(queue.sid).members.list()
    assert [m.call_sid for m in members] == [call.sid] and members[0].position == 1
    member = client.queues(queue.sid).members("Front").update(
        url="https://ivr.example.test/picked", method="POST")
    assert member.call_sid == call.sid
    emu.run_until(lambda: call.ended)
    assert call.says()[-1] == "An agent is ready"
    assert client.queues(queue.sid).fetch().current_size == 0
    assert hits(app, "/queue/done")[0].params["QueueResult"] == "redirected"
