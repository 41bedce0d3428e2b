"""The test phone: a browser tab dials in through the emulator, reads the prompts, presses
keys, speaks, and hangs up; all through the app, which drives the emulator's control API."""

from __future__ import annotations

from tests.flows.conftest import ASHA, NUMBER


def heard(client, call_sid: str, since: int = 0) -> dict:
    response = client.get(f"/test-phone/calls/{call_sid}?since={since}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def says(entries: list[dict]) -> list[str]:
    return [e["text"] for e in entries if e["kind"] == "say"]


def test_the_page_offers_known_callers_and_our_number(floor, phone):
    html = phone.get("/test-phone").get_data(as_text=True)
    assert f"Call {NUMBER}" in html
    assert ASHA in html and "Asha" in html  # a demo customer, greeted by name


def test_a_caller_hears_the_greeting_presses_a_key_and_hangs_up(floor, phone):
    floor.agent("amy", ["billing"], state="away")  # signed in, busy: the caller waits
    placed = phone.post("/test-phone/calls", json={"from": ASHA})
    assert placed.status_code == 201
    sid = placed.get_json()["call_sid"]
    call = floor.emu.call(sid)
    floor.wait_until(lambda: heard(phone, sid)["awaiting_input"], timeout=60)

    first = heard(phone, sid)
    assert first["status"] == "in-progress"
    assert any(text.startswith("नमस्ते Asha") for text in says(first["heard"])), first
    assert any(e["language"] == "hi-IN" for e in first["heard"] if e["kind"] == "say")

    pressed = phone.post(f"/test-phone/calls/{sid}/press",
                          json={"digits": "1", "since": first["next"]})
    assert pressed.status_code == 200
    floor.wait_until(lambda: call.activity == "conference", timeout=60)
    later = heard(phone, sid, since=first["next"])
    assert "धन्यवाद। हम आपको बिलिंग विभाग से जोड़ रहे हैं।" in says(later["heard"]), later
    assert says(later["heard"]) and later["next"] > first["next"]  # only what is new

    hung_up = phone.post(f"/test-phone/calls/{sid}/hangup", json={})
    assert hung_up.status_code == 200
    floor.emu.settle()
    assert heard(phone, sid)["status"] == "completed"


def test_saying_words_reaches_a_speech_menu(floor, phone):
    sid = phone.post("/test-phone/calls", json={"from": "+14155550123"}).get_json()["call_sid"]
    floor.wait_until(lambda: heard(phone, sid)["awaiting_input"], timeout=60)
    response = phone.post(f"/test-phone/calls/{sid}/say", json={"text": "English"})
    assert response.status_code == 200
    assert response.get_json()["status"] == "in-progress"


def test_bad_input_is_refused_with_a_clear_message(floor, phone):
    response = phone.post("/test-phone/calls", json={"from": "call me maybe"})
    assert response.status_code == 400
    assert "phone number" in response.get_json()["error"]["message"]
    sid = phone.post("/test-phone/calls", json={"from": ASHA}).get_json()["call_sid"]
    assert phone.post(f"/test-phone/calls/{sid}/press", json={"digits": "1; DROP"}
                       ).status_code == 400
    assert phone.get("/test-phone/calls/CA" + "0" * 32).status_code == 404


def test_without_the_emulator_the_page_says_so(app, phone):
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens there
    response = phone.post("/test-phone/calls", json={"from": ASHA})
    assert response.status_code == 502
    assert "emulator is not answering" in response.get_json()["error"]["message"]


def test_visitors_who_are_not_signed_in_are_sent_to_sign_in(floor, client):
    response = client.get("/test-phone")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert client.post("/test-phone/calls", json={"from": ASHA}).status_code == 302


def test_against_real_twilio_there_is_no_test_phone(app, phone):
    app.config["TWILIO_MODE"] = "live"
    assert phone.get("/test-phone").status_code == 404
    assert phone.post("/test-phone/calls", json={"from": ASHA}).status_code == 404


def test_a_change_without_the_page_csrf_token_is_refused(floor, phone):
    del phone.environ_base["HTTP_X_CSRF_TOKEN"]
    response = phone.post("/test-phone/calls", json={"from": ASHA})
    assert response.status_code == 403
    assert response.get_json()["error"]["id"] == "csrf_failed"


def test_a_key_pressed_while_nothing_listens_is_shown_as_not_heard(floor, phone):
    placed = phone.post("/test-phone/calls", json={"from": ASHA}).get_json()
    sid = placed["call_sid"]
    call = floor.emu.call(sid)
    floor.wait_until(lambda: says(heard(phone, sid)["heard"]), timeout=10)
    assert call.activity != "gather"  # the greeting, said before the menu's <Gather>

    shown = phone.post(f"/test-phone/calls/{sid}/press", json={"digits": "1"}).get_json()
    ignored = [e for e in shown["heard"] if e["kind"] == "ignored"]
    assert [e["text"] for e in ignored] == ["1"]  # the page says nobody heard it

    floor.wait_until(lambda: heard(phone, sid)["awaiting_input"], timeout=60)
    assert call.activity == "gather"  # the key chose nothing: the menu still asks
