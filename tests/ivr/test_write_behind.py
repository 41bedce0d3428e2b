"""The incoming call's row is written behind the answer: staged in Redis, written by the clock
process's writer, and found by every reader by CallSid before that (app/interactions/pending.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

import redis
from freezegun import freeze_time
from sqlalchemy import select

from app import create_app
from app.extensions import db, redis_client
from app.interactions import pending
from app.interactions import services as interactions
from app.interactions.models import Interaction, InteractionEvent
from tests.conftest import call_params, make_settings, parse_twiml, sign
from tests.ivr.conftest import ASHA, OPEN_HOURS, spoken

FROZEN = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)


def _rows(call_sid: str) -> list[Interaction]:
    return db.session.scalars(select(Interaction).where(Interaction.call_sid == call_sid)).all()


def _event_kinds(call_sid: str) -> list[str]:
    return list(db.session.scalars(
        select(InteractionEvent.kind).join(Interaction).where(Interaction.call_sid == call_sid)
        .order_by(InteractionEvent.id)))


def _dial(signed_post, sid_letter: str) -> dict[str, str]:
    params = call_params(From=ASHA, CallSid="CA" + sid_letter * 32)
    assert spoken(parse_twiml(signed_post("/ivr/incoming", params)))[0].text.startswith(
        "नमस्ते Asha")
    return params


@freeze_time(OPEN_HOURS)
def test_the_answer_does_not_wait_for_sql_and_readers_find_the_row(app, demo, signed_post):
    params = _dial(signed_post, "a")
    with app.app_context():
        assert _rows(params["CallSid"]) == []  # staged, not yet written
        assert redis_client.lrange(pending.list_key(), 0, -1) == [params["CallSid"]]
        # A later webhook of the call (here, the agent's screen-pop) finds it all the same.
        row = interactions.find_by_call_sid(params["CallSid"])
        assert row is not None and row.language == "hi" and row.customer_id is not None
        assert row.started_at.replace(tzinfo=UTC) == FROZEN
        assert [e.kind for e in row.events] == ["greeted", "identified"]
        db.session.commit()
        # The writer then finds it there: one row, its timeline once.
        assert pending.write() == 0
        assert len(_rows(params["CallSid"])) == 1
        assert _event_kinds(params["CallSid"]) == ["greeted", "identified"]
        assert redis_client.llen(pending.list_key()) == 0


@freeze_time(OPEN_HOURS)
def test_the_writer_writes_each_staged_row_once(app, demo, signed_post):
    first, second = _dial(signed_post, "b"), _dial(signed_post, "c")
    with app.app_context():
        assert pending.write() == 2
        assert pending.write() == 0
        for params in (first, second):
            [row] = _rows(params["CallSid"])
            assert row.from_number == ASHA and row.started_at.replace(tzinfo=UTC) == FROZEN
            assert _event_kinds(params["CallSid"]) == ["greeted", "identified"]
            assert redis_client.get(pending.row_key(params["CallSid"])) == pending.WRITTEN
        # Read after the writer: straight from SQL.
        assert interactions.find_by_call_sid(first["CallSid"]).language == "hi"


@freeze_time(OPEN_HOURS)
def test_a_writer_killed_after_its_commit_leaves_nothing_to_write_twice(app, demo, signed_post):
    params = _dial(signed_post, "d")
    with app.app_context():
        # What a writer had done when killed between its COMMIT and marking the rows written.
        raw = redis_client.get(pending.row_key(params["CallSid"]))
        pending._insert_rows([pending._decode(params["CallSid"], raw)])
        db.session.commit()
        assert pending.write() == 0  # the next writer skips the row, and clears the list
        assert len(_rows(params["CallSid"])) == 1
        assert _event_kinds(params["CallSid"]) == ["greeted", "identified"]
        assert redis_client.llen(pending.list_key()) == 0


@freeze_time(OPEN_HOURS)
def test_one_writer_at_a_time(app, demo, signed_post):
    _dial(signed_post, "e")
    with app.app_context():
        lease = pending.list_key() + ":writer"
        redis_client.set(lease, "another clock", px=30_000)
        assert pending.write() == 0  # another process holds the lease
        assert redis_client.llen(pending.list_key()) == 1
        redis_client.delete(lease)
        assert pending.write() == 1


@freeze_time(OPEN_HOURS)
def test_a_status_callback_before_the_writer_closes_the_call(app, demo, signed_post):
    params = _dial(signed_post, "f")
    signed_post("/ivr/status", {**params, "CallStatus": "completed", "CallDuration": "12"})
    with app.app_context():
        pending.write()
        [row] = _rows(params["CallSid"])
        assert row.status == "completed" and row.duration_seconds == 12
        assert _event_kinds(params["CallSid"]) == ["greeted", "identified", "ended"]


def _break_redis(app) -> None:
    app.extensions["redis"] = redis.Redis(host="127.0.0.1", port=1, decode_responses=True,
                                          socket_connect_timeout=0.2, socket_timeout=0.2)


@freeze_time(OPEN_HOURS)
def test_with_redis_down_the_caller_is_greeted_and_the_row_goes_to_sql(app, demo, signed_post):
    _dial(signed_post, "g")  # this process has now seen a configuration version
    _break_redis(app)
    params = _dial(signed_post, "h")
    with app.app_context():
        [row] = _rows(params["CallSid"])
        assert row.language == "hi"
        assert _event_kinds(params["CallSid"]) == ["greeted", "identified"]


@freeze_time(OPEN_HOURS)
def test_another_process_renders_again_when_the_prompts_changed(app, demo, tmp_path,
                                                                 redis_server, monkeypatch):
    # A second app on the same database and Redis stands in for another gunicorn worker; it
    # answers with the version it saw last, checked in the round trip that stages the row.
    other = create_app(make_settings(tmp_path / "test.sqlite3", redis_server.url))
    outcomes = []
    stage = pending.stage

    def recording_stage(*args, **kwargs):
        result = stage(*args, **kwargs)
        outcomes.append(result[0])
        return result

    monkeypatch.setattr(pending, "stage", recording_stage)

    def call_other(sid_letter: str) -> str:
        params = call_params(From=ASHA, CallSid="CA" + sid_letter * 32)
        url = "https://callcentre.example.test/ivr/incoming"
        response = other.test_client().post("/ivr/incoming", data=params,
                                            headers={"X-Twilio-Signature": sign(url, params)})
        return spoken(parse_twiml(response))[0].text

    assert call_other("i").startswith("नमस्ते Asha")  # it has seen a version now
    app.test_cli_runner().invoke(args=["prompts", "set", "greeting.known", "hi",
                                       "प्रणाम {name}।"])
    outcomes.clear()
    assert call_other("j") == "प्रणाम Asha।"
    assert outcomes == [pending.STALE, pending.STAGED]  # nothing staged with the old text
    with app.app_context():
        assert pending.write() == 2
        assert _event_kinds("CA" + "j" * 32) == ["greeted", "identified"]  # staged once


@freeze_time(OPEN_HOURS)
def test_the_clock_process_writer_thread_writes_staged_rows(app, demo, signed_post):
    params = _dial(signed_post, "k")
    with app.app_context():
        rounds = iter([False, True])  # one round, then stop
        pending.start_writer(stop=lambda: next(rounds), interval=0).join(timeout=30)
        [row] = _rows(params["CallSid"])
        assert _event_kinds(params["CallSid"]) == ["greeted", "identified"]
        assert redis_client.llen(pending.list_key()) == 0
