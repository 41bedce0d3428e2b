"""The REST API through the real twilio-python Client: shapes, filters, errors."""

from __future__ import annotations

import io
import wave

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from sim.http_client import LocalTwilioHttpClient
from sim.testing import twilio_client
from tests.sim.apps import ACCOUNT_SID, AUTH_TOKEN, BASE, CALLER, NUMBER, hits, respond

CUSTOMER = "+15551230000"


@pytest.fixture
def env(sim):
    emu, app = sim({
        "/ivr/incoming": respond("<Say>hello</Say>"),
        "/outbound": respond("<Say>This is the call centre calling back</Say>",
                             "<Pause length='30'/>"),
        "/other": respond("<Say>redirected</Say>"),
        "/cb": lambda hit: ("", 204),
    })
    return emu, app, twilio_client(emu)


def test_create_call_rings_answers_and_runs_its_url(env):
    emu, app, client = env
    emu.phone(CUSTOMER, answer_after=3)
    call = client.calls.create(to=CUSTOMER, from_=NUMBER, url=f"{BASE}/outbound",
                               status_callback=f"{BASE}/cb",
                               status_callback_event=["initiated", "ringing", "answered",
                                                      "completed"])
    assert call.sid.startswith("CA") and call.status == "queued"
    assert call.direction == "outbound-api" and call.to == CUSTOMER
    assert call.date_created is not None
    customer = emu.party(CUSTOMER)
    emu.run_until(lambda: customer.call is not None)
    emu.advance(5)
    assert customer.says() == ["This is the call centre calling back"]
    fetched = client.calls(call.sid).fetch()
    assert fetched.status == "in-progress" and fetched.start_time is not None
    customer.hangup()
    emu.advance(1)
    events = [h.params for h in hits(app, "/cb")]
    assert [e["CallStatus"] for e in events] == ["initiated", "ringing", "in-progress",
                                                  "completed"]
    assert [e["SequenceNumber"] for e in events] == ["0", "1", "2", "3"]
    assert all(e["CallbackSource"] == "call-progress-events" for e in events)
    assert events[-1]["CallDuration"] == "5"
    outbound = hits(app, "/outbound")[0].params
    assert outbound["Direction"] == "outbound-api" and outbound["CallStatus"] == "in-progress"
    assert client.calls(call.sid).fetch().duration == "5"


def test_create_call_with_inline_twiml_and_no_answer(env):
    emu, app, client = env
    emu.phone(CUSTOMER, policy="no-answer")
    call = client.calls.create(to=CUSTOMER, from_=NUMBER, twiml="<Response><Say>x</Say>"
                               "</Response>", timeout=15, status_callback=f"{BASE}/cb")
    emu.advance(19)  # its Timeout and Twilio's 5-second buffer
    assert client.calls(call.sid).fetch().status == "ringing"
    emu.advance(2)
    assert client.calls(call.sid).fetch().status == "no-answer"
    assert [h.params["CallStatus"] for h in hits(app, "/cb")] == ["no-answer"]


def test_update_call_redirects_and_hangs_up(env):
    emu, app, client = env
    call = emu.dial_in(CALLER, NUMBER)
    emu.advance(0.1)
    client.calls(call.sid).update(url=f"{BASE}/other", method="POST")
    emu.run_until(lambda: call.ended)
    assert call.says() == ["hello", "redirected"]
    assert call.heard[0].interrupted
    with pytest.raises(TwilioRestException) as exc:
        client.calls(call.sid).update(url=f"{BASE}/other")
    assert exc.value.code == 21220 and exc.value.status == 400


def test_update_call_status_completed_and_twiml(env):
    emu, app, client = env
    emu.phone(CUSTOMER, answer_after=1)
    call = client.calls.create(to=CUSTOMER, from_=NUMBER, url=f"{BASE}/outbound")
    emu.advance(3)
    client.calls(call.sid).update(twiml="<Response><Say>inline now</Say></Response>")
    emu.advance(0.5)
    assert emu.party(CUSTOMER).says()[-1] == "inline now"
    emu.advance(5)
    assert client.calls(call.sid).fetch().status == "completed"
    ringing = client.calls.create(to="+15550009999", from_=NUMBER, url=f"{BASE}/outbound")
    emu.phone("+15550009999", policy="no-answer")
    emu.advance(1)
    client.calls(ringing.sid).update(status="canceled")
    emu.advance(0)
    assert client.calls(ringing.sid).fetch().status == "canceled"


def test_list_calls_with_filters_and_paging(env):
    emu, app, client = env
    handles = [emu.dial_in(f"+9198000000{i:02d}", NUMBER) for i in range(5)]
    emu.advance(5)
    assert len(client.calls.list()) == 5
    assert [c.sid for c in client.calls.list(from_="+919800000003")] == [handles[3].sid]
    assert len(client.calls.list(status="completed")) == 5
    assert len(client.calls.list(page_size=2)) == 5  # follows next_page_uri
    raw = requests.get(f"{emu.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
                       params={"PageSize": 2}, auth=(ACCOUNT_SID, AUTH_TOKEN)).json()
    assert set(raw) == {"calls", "first_page_uri", "next_page_uri", "previous_page_uri",
                        "page", "page_size", "start", "end", "uri"}
    assert raw["page"] == 0 and raw["start"] == 0 and raw["end"] == 1
    assert raw["calls"][0]["uri"].endswith(".json")


@pytest.mark.parametrize("kwargs,code", [
    ({"from_": NUMBER, "url": f"{BASE}/x", "to": ""}, 21201),
    ({"to": "+15551230000", "from_": "", "url": f"{BASE}/x"}, 21213),
    ({"to": "12345", "from_": NUMBER, "url": f"{BASE}/x"}, 21211),
    ({"to": "+15551230000", "from_": NUMBER}, 21205),
    ({"to": "+15551230000", "from_": NUMBER, "twiml": "<Respons/>"}, 12100),
])
def test_create_call_errors(env, kwargs, code):
    emu, _, client = env
    emu.conformance.expect_violations = code in (21201, 21213)  # To or From missing
    with pytest.raises(TwilioRestException) as exc:
        client.calls.create(**kwargs)
    assert exc.value.code == code and exc.value.status == 400


def test_unknown_resources_are_20404(env):
    _, _, client = env
    for fetch in (lambda: client.calls("CA" + "f" * 32).fetch(),
                  lambda: client.conferences("CF" + "f" * 32).fetch(),
                  lambda: client.recordings("RE" + "f" * 32).fetch(),
                  lambda: client.queues("QU" + "f" * 32).fetch()):
        with pytest.raises(TwilioRestException) as exc:
            fetch()
        assert exc.value.code == 20404 and exc.value.status == 404


def test_bad_credentials_are_20003(env):
    emu, _, _ = env
    bad = Client(ACCOUNT_SID, "wrong", http_client=LocalTwilioHttpClient(emu.base_url))
    with pytest.raises(TwilioRestException) as exc:
        bad.calls.create(to=CUSTOMER, from_=NUMBER, url=f"{BASE}/outbound")
    assert exc.value.code == 20003 and exc.value.status == 401
    body = requests.get(f"{emu.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json").json()
    assert body == {"code": 20003, "message": "Authenticate", "status": 401,
                    "more_info": "https://www.twilio.com/docs/errors/20003"}


def test_api_key_and_secret_are_accepted(sim):
    emu, _ = sim({"/ivr/incoming": respond("<Hangup/>")}, api_key="SK" + "2" * 32,
                 api_secret="key-secret")
    keyed = Client("SK" + "2" * 32, "key-secret", ACCOUNT_SID,
                   http_client=LocalTwilioHttpClient(emu.base_url))
    assert keyed.calls.list() == []


def test_recordings_fetch_media_list_and_delete(sim):
    emu, app = sim({"/ivr/incoming": respond("<Record action='/done' timeout='2'/>"),
                    "/done": respond("<Hangup/>")})
    client = twilio_client(emu)
    call = emu.dial_in(CALLER, NUMBER)
    emu.run_until(lambda: call.recording)
    call.say("one two three four five six seven")
    emu.run_until(lambda: call.ended)
    [rec] = client.recordings.list()
    assert rec.call_sid == call.sid and rec.duration == "3" and rec.status == "completed"
    assert [r.sid for r in client.recordings.list(call_sid=call.sid)] == [rec.sid]
    assert client.recordings(rec.sid).fetch().source == "RecordVerb"
    url = f"{emu.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{rec.sid}"
    wav = requests.get(url + ".wav", auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert wav.headers["Content-Type"] == "audio/x-wav"
    with wave.open(io.BytesIO(wav.content)) as w:
        assert w.getnframes() == 3 * 8000
    mp3 = requests.get(url + ".mp3", auth=(ACCOUNT_SID, AUTH_TOKEN))
    assert mp3.headers["Content-Type"] == "audio/mpeg" and mp3.content[:2] == b"\xff\xfb"
    assert requests.get(url + ".mp3").status_code == 401
    assert client.recordings(rec.sid).delete() is True
    assert client.recordings.list() == []


def test_queues_create_and_list(env):
    _, _, client = env
    q = client.queues.create(friendly_name="billing", max_size=20)
    assert q.sid.startswith("QU") and q.max_size == 20 and q.current_size == 0
    assert [x.friendly_name for x in client.queues.list()] == ["billing"]
    with pytest.raises(TwilioRestException) as exc:
        client.queues(q.sid).members("Front").fetch()
    assert exc.value.code == 20404
