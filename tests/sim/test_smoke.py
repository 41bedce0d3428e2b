from tests.sim.apps import CALLER, NUMBER, respond


def test_greeting_is_heard_and_call_ends(sim):
    greeting = "<Say voice='Polly.Joanna'>Thank you for calling</Say>"
    emu, app = sim({"/ivr/incoming": respond(greeting)})
    call = emu.dial_in(from_=CALLER, to=NUMBER)
    emu.run_until(lambda: call.ended, timeout=30)
    assert call.heard_text() == "Thank you for calling"
    assert call.status == "completed"
