"""Whole calls through the offline Twilio emulator: a caller dials in, hears, presses, speaks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from freezegun import freeze_time

from sim.emulator import Emulator
from sim.testing import assert_heard, assert_not_heard, emulator_for
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE_URL
from tests.ivr.conftest import ADMIN, ASHA, NURUL, OPEN_HOURS, events, interaction

NUMBER = "+15005550006"


@pytest.fixture
def emu(app, demo) -> Iterator[Emulator]:
    with freeze_time(OPEN_HOURS) as frozen, emulator_for(
            app, public_base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, number=NUMBER,
            freezer=frozen) as emulator:
        yield emulator


def says(call) -> list[tuple[str, str, str]]:
    return [(h.text, h.voice, h.language) for h in call.heard if h.kind == "say"]


def listen(emu: Emulator, call) -> None:
    emu.run_until(lambda: call.awaiting_input or call.ended, timeout=120)


def test_known_hindi_caller_greeted_by_name_picks_billing_by_key(app, emu):
    call = emu.dial_in(ASHA, NUMBER)
    listen(emu, call)
    first = says(call)[0]
    assert first[0].startswith("नमस्ते Asha, Example Support को कॉल करने के लिए धन्यवाद")
    assert first[1:] == ("Polly.Aditi", "hi-IN")
    call.press("1")
    emu.run_until(lambda: call.in_conference, timeout=120)
    assert_heard(call, "हम आपको बिलिंग विभाग से जोड़ रहे हैं")
    assert {s[1:] for s in says(call)} == {("Polly.Aditi", "hi-IN")}
    row = interaction(app, call.sid)
    assert [k for k, _ in events(row)][:4] == [
        "greeted", "identified", "department_chosen", "handed_off"]


def test_malay_caller_by_speech(app, emu):
    call = emu.dial_in(NURUL, NUMBER)
    listen(emu, call)
    assert says(call)[0][0].startswith("Helo Nurul Aisyah")
    call.say("Saya nak tanya tentang bil saya")
    emu.run_until(lambda: call.in_conference, timeout=120)
    assert_heard(call, "Kami sedang menyambungkan anda ke Bahagian Bil")
    assert {s[1:] for s in says(call)} == {("Google.ms-MY-Standard-A", "ms-MY")}
    assert dict(events(interaction(app, call.sid)))["department_chosen"]["how"] == "speech"


def test_unknown_caller_keys_an_account_and_is_greeted_by_name_next_time(app, emu):
    stranger = "+919812345678"
    call = emu.dial_in(stranger, NUMBER)
    listen(emu, call)
    heard = says(call)
    assert heard[0][0] == "Thank you for calling Example Support. We are here to help."
    assert ("বাংলার জন্য 3 চাপুন।", "Google.bn-IN-Standard-C", "bn-IN") in heard
    call.press("3")  # Bengali
    listen(emu, call)
    assert_heard(call, "অ্যাকাউন্ট নম্বর")
    call.press("100005#")
    listen(emu, call)
    assert_heard(call, "ধন্যবাদ Priya")
    call.press("1")
    listen(emu, call)
    assert_heard(call, "আমরা এই নম্বরটি মনে রাখব")
    call.press("2")
    emu.run_until(lambda: call.in_conference, timeout=120)
    assert_heard(call, "কারিগরি সহায়তা")

    again = emu.dial_in(stranger, NUMBER)
    listen(emu, again)
    assert says(again)[0][0].startswith("नमस्ते Priya")  # her record says Hindi


def test_withheld_number_can_still_be_identified_but_is_never_linked(app, emu):
    call = emu.dial_in("anonymous", NUMBER)
    listen(emu, call)
    call.press("1")
    listen(emu, call)
    call.press("100001#")
    listen(emu, call)
    assert_heard(call, "Thank you, Asha")
    assert_not_heard(call, "recognise you when you call from this number")
    call.press("2")
    emu.run_until(lambda: call.in_conference, timeout=120)
    kinds = [k for k, _ in events(interaction(app, call.sid))]
    assert "identified" in kinds and "phone_linked" not in kinds


def test_three_invalid_keys_reach_the_default_department(app, emu):
    call = emu.dial_in(ASHA, NUMBER)
    for key in ("9", "0", "8"):
        listen(emu, call)
        call.press(key)
    emu.run_until(lambda: call.in_conference, timeout=120)
    assert call.heard_text().count("क्षमा करें, यह उपलब्ध विकल्पों में से नहीं है।") == 2
    assert_heard(call, "चूँकि हमें आपका कोई विकल्प नहीं मिला, हम आपको तकनीकी सहायता से")


def _in_line_after_greeting(app, call) -> float:
    """Seconds from the end of the greeting (the first thing said) to the caller's being put
    in line (the queue's `queued` event: their place and hold clock start there), in the
    emulator's virtual time, which the app's clock follows."""
    greeting = next(h for h in call.heard if h.kind == "say")
    row = interaction(app, call.sid)
    at = {e.kind: e.at for e in row.events}
    return (at["queued"] - at["greeted"]).total_seconds() - greeting.duration


def test_a_silent_caller_is_in_line_within_30_seconds_of_the_greeting(app, emu):
    call = emu.dial_in(ASHA, NUMBER)
    emu.run_until(lambda: call.in_conference, timeout=300)
    assert _in_line_after_greeting(app, call) <= 30  # R3, R4: three menus took ~59 s
    assert_not_heard(call, "क्षमा करें, हमें कुछ सुनाई नहीं दिया।")  # not asked again
    assert_heard(call, "चूँकि हमें आपका कोई विकल्प नहीं मिला, हम आपको तकनीकी सहायता से")
    assert dict(events(interaction(app, call.sid)))["department_chosen"] == {
        "department": "support", "how": "default"}


def test_how_often_silence_is_asked_again_is_a_setting(app, emu):
    app.config["IVR_NO_INPUT_ATTEMPTS"] = 3
    call = emu.dial_in(ASHA, NUMBER)
    emu.run_until(lambda: call.in_conference, timeout=300)
    assert call.heard_text().count("क्षमा करें, हमें कुछ सुनाई नहीं दिया।") == 2
    assert_heard(call, "तकनीकी सहायता")
    assert _in_line_after_greeting(app, call) > 30


def test_a_silent_unknown_caller_is_in_line_within_30_seconds_of_the_greeting(app, emu):
    call = emu.dial_in("+14155550199", NUMBER)
    emu.run_until(lambda: call.in_conference, timeout=300)
    assert_not_heard(call, "we did not hear anything")
    # Silence at the language question skips the account question (it took ~48 s).
    assert_not_heard(call, "account number")
    kinds = dict(events(interaction(app, call.sid)))
    assert kinds["department_chosen"]["how"] == "default"
    assert kinds["identification_skipped"] == {"why": "no_input"}
    assert _in_line_after_greeting(app, call) <= 30


def test_an_unknown_caller_who_picks_a_language_is_still_asked_for_an_account(app, emu):
    call = emu.dial_in("+14155550199", NUMBER)
    listen(emu, call)
    call.press("1")
    listen(emu, call)
    assert_heard(call, "account number")


def test_outside_business_hours_in_another_time_zone(app, demo):
    # 13:00 UTC, Wednesday: 18:30 in Kolkata, after billing's 09:00-18:00 there.
    with freeze_time("2026-11-25 13:00:00") as frozen, emulator_for(
            app, public_base_url=PUBLIC_BASE_URL, auth_token=AUTH_TOKEN, number=NUMBER,
            freezer=frozen) as emu:
        call = emu.dial_in(ASHA, NUMBER)
        listen(emu, call)
        call.press("1")
        emu.run_until(lambda: call.ended, timeout=120)
        assert_heard(call, "बिलिंग विभाग इस समय बंद है")
        assert_heard(call, "सोमवार से शुक्रवार, 09:00 से 18:00 तक")
        assert_not_heard(call, "जोड़ रहे हैं")


def test_a_prompt_edited_at_run_time_is_heard_on_the_next_call(app, emu, client):
    app.test_cli_runner().invoke(args=["prompts", "set", "greeting.known", "ms",
                                       "Selamat pagi {name}, ini {organisation}."])
    call = emu.dial_in(NURUL, NUMBER)
    listen(emu, call)
    assert says(call)[0][0] == "Selamat pagi Nurul Aisyah, ini Example Support."

    client.put("/api/prompts/menu.option/ms", json={"text": "Tekan {key} untuk {department}."},
               headers=ADMIN)
    call.hangup()
    call = emu.dial_in(NURUL, NUMBER)
    listen(emu, call)
    assert_heard(call, "Tekan 1 untuk Bahagian Bil.")
