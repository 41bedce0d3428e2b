"""Whole calls through the IVR webhooks, signed as Twilio signs them."""

from __future__ import annotations

from freezegun import freeze_time
from sqlalchemy import select

from app.customers.models import CustomerPhone
from app.extensions import db
from app.floor.models import Department
from tests.ivr.conftest import (
    ASHA,
    NURUL,
    OPEN_HOURS,
    assert_queued,
    events,
    interaction,
    spoken,
    words,
)

HINDI = ("Polly.Aditi", "hi-IN")
MALAY = ("Google.ms-MY-Standard-A", "ms-MY")
ENGLISH = ("Polly.Joanna", "en-US")


def voices(root) -> set[tuple[str | None, str | None]]:
    return {(s.voice, s.language) for s in spoken(root)}


@freeze_time(OPEN_HOURS)
def test_known_hindi_caller_is_greeted_by_name_and_picks_billing_by_key(app, demo, phone):
    call = phone(ASHA)
    root = call.dial()

    first = spoken(root)[0]
    assert first.text.startswith("नमस्ते Asha")
    assert "Example Support" in first.text
    assert (first.voice, first.language) == HINDI
    gather = root.find("Gather")
    assert gather.get("input") == "dtmf speech"
    assert gather.get("language") == "hi-IN"
    assert "बिलिंग" in gather.get("hints")
    assert voices(root) == {HINDI}
    assert "बिलिंग विभाग के लिए 1 दबाएँ।" in words(root)

    root = call.press("1")
    assert "हम आपको बिलिंग विभाग से जोड़ रहे हैं" in words(root)
    assert voices(root) == {HINDI}
    assert_queued(root)

    row = interaction(app, call.params["CallSid"])
    with app.app_context():
        billing = db.session.scalars(select(Department).where(Department.slug == "billing")).one()
        assert row.department_id == billing.id
    assert row.customer_id is not None and row.language == "hi"
    assert [k for k, _ in events(row)] == [
        "greeted", "identified", "department_chosen", "handed_off", "queued"]
    assert dict(events(row))["identified"] == {"how": "caller_id", "customer_id": row.customer_id}
    assert dict(events(row))["department_chosen"] == {"department": "billing", "how": "key"}


@freeze_time(OPEN_HOURS)
def test_malay_caller_chooses_a_department_by_speech(app, demo, phone):
    call = phone(NURUL)
    root = call.dial()
    assert spoken(root)[0].text.startswith("Helo Nurul Aisyah")
    assert root.find("Gather").get("language") == "ms-MY"

    root = call.say("Saya perlukan sokongan teknikal, internet saya rosak.")
    assert "Kami sedang menyambungkan anda ke Sokongan teknikal" in words(root)
    assert voices(root) == {MALAY}
    assert dict(events(interaction(app)))["department_chosen"] == {
        "department": "support", "how": "speech"}


@freeze_time(OPEN_HOURS)
def test_english_speech_works_for_a_hindi_caller_too(app, demo, phone):
    call = phone(ASHA)
    call.dial()
    root = call.say("Billing, please.")
    assert "बिलिंग विभाग" in words(root)


@freeze_time(OPEN_HOURS)
def test_unknown_caller_chooses_hindi_keys_an_account_and_is_remembered(app, demo, phone):
    stranger = "+919812345678"
    call = phone(stranger)
    root = call.dial()

    greeting = spoken(root)[0]
    assert greeting.text == "Thank you for calling Example Support. We are here to help."
    assert (greeting.voice, greeting.language) == ENGLISH
    options = [(s.text, s.voice, s.language) for s in spoken(root.find("Gather"))]
    assert options == [
        ("For English, press 1.", *ENGLISH),
        ("हिंदी के लिए 2 दबाएँ।", *HINDI),
        ("বাংলার জন্য 3 চাপুন।", "Google.bn-IN-Standard-C", "bn-IN"),
        ("Untuk Bahasa Melayu, tekan 4.", *MALAY),
    ]

    root = call.press("2")
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "#"
    assert "खाता संख्या" in words(root) and voices(root) == {HINDI}

    root = call.press("999999")  # a wrong number first: a clear re-prompt
    assert words(root).startswith("क्षमा करें, हमें यह खाता संख्या नहीं मिली।")
    assert "attempt=2" in root.find("Gather").get("action")

    root = call.press("100005")  # Priya, no phone on file
    assert "धन्यवाद Priya" in words(root)
    assert "1 दबाएँ" in words(root.find("Gather"))

    root = call.press("1")
    assert "हम यह नंबर याद रखेंगे" in words(root)
    assert root.find("Gather").get("input") == "dtmf speech"  # on to the menu

    row = interaction(app, call.params["CallSid"])
    kinds = [k for k, _ in events(row)]
    assert kinds == ["greeted", "language_chosen", "account_not_found", "identified",
                     "phone_linked"]
    assert dict(events(row))["identified"]["how"] == "account_number"
    with app.app_context():
        linked = db.session.scalars(
            select(CustomerPhone).where(CustomerPhone.number == stranger)).one()
        assert linked.customer.name == "Priya" and linked.source == "ivr"

    again = phone(stranger).dial()
    assert spoken(again)[0].text.startswith("नमस्ते Priya")


@freeze_time(OPEN_HOURS)
def test_a_caller_who_declines_is_not_remembered(app, demo, phone):
    call = phone("+919812345678")
    call.dial()
    call.press("1")
    call.press("100005")
    root = call.stay_silent()  # no answer is no consent
    assert "we will not keep this number" in words(root)
    with app.app_context():
        assert db.session.scalars(
            select(CustomerPhone).where(CustomerPhone.number == "+919812345678")).first() is None


@freeze_time(OPEN_HOURS)
def test_star_skips_the_account(app, demo, phone):
    call = phone("+12025550100")
    call.dial()
    root = call.press("1")  # English
    assert "account number" in words(root)
    root = call.press("*")
    assert "Please choose a department" in words(root)
    kinds = [k for k, _ in events(interaction(app))]
    assert kinds == ["greeted", "language_chosen", "identification_skipped"]
    assert dict(events(interaction(app)))["identification_skipped"] == {}


@freeze_time(OPEN_HOURS)
def test_silence_keeps_the_greeting_language_and_goes_to_the_menu(app, demo, phone):
    call = phone("+12025550100")
    call.dial()
    root = call.stay_silent()  # no language chosen: stay in English, not asked for an account
    assert "account number" not in words(root)
    assert "Please choose a department" in words(root)
    kinds = [k for k, _ in events(interaction(app))]
    assert kinds == ["greeted", "language_chosen", "identification_skipped"]
    assert dict(events(interaction(app)))["language_chosen"] == {"language": "en",
                                                                 "how": "default"}
    assert dict(events(interaction(app)))["identification_skipped"] == {"why": "no_input"}


@freeze_time(OPEN_HOURS)
def test_withheld_and_softphone_callers_are_never_looked_up_or_linked(app, demo, phone):
    for raw in ("anonymous", "", "unknown", "client:agent_7", "+1 (garbage)"):
        call = phone(raw)
        root = call.dial()
        assert spoken(root)[0].text.startswith("Thank you for calling Example Support")
        call.press("1")
        root = call.press("100001#")  # Asha's account, keyed from a withheld line
        assert "Thank you, Asha" in words(root)
        assert "press 1. Otherwise" not in words(root), "nothing to remember for " + raw
        assert root.find("Gather").get("input") == "dtmf speech"
        row = interaction(app, call.params["CallSid"])
        assert row.customer_id is not None
        assert "phone_linked" not in [k for k, _ in events(row)]
    with app.app_context():
        assert {p.number for p in db.session.scalars(select(CustomerPhone))} == {
            "+919876543210", "+60123456789", "+8801712345678", "+12025550143"}


@freeze_time(OPEN_HOURS)
def test_three_invalid_choices_go_to_the_default_department_with_an_explanation(app, demo,
                                                                                 phone):
    app.config["IVR_NO_INPUT_ATTEMPTS"] = 3  # silence, too, asked again (one round by default)
    call = phone(ASHA)
    call.dial()
    root = call.press("9")
    assert words(root).startswith("क्षमा करें, यह उपलब्ध विकल्पों में से नहीं है।")
    assert "attempt=2" in root.find("Gather").get("action")
    root = call.stay_silent()
    assert words(root).startswith("क्षमा करें, हमें कुछ सुनाई नहीं दिया।")
    root = call.say("pizza")
    assert "चूँकि हमें आपका कोई विकल्प नहीं मिला" in words(root)
    assert "तकनीकी सहायता" in words(root)
    assert_queued(root)
    row = interaction(app)
    assert [k for k, _ in events(row)][-6:] == [
        "menu_invalid", "menu_no_input", "menu_invalid", "department_chosen", "handed_off",
        "queued"]
    assert dict(events(row))["department_chosen"] == {"department": "support", "how": "default"}


@freeze_time(OPEN_HOURS)
def test_silence_in_the_menu_goes_to_the_default_department_at_once(app, demo, phone):
    call = phone(ASHA)
    call.dial()
    root = call.stay_silent()
    assert words(root).startswith("चूँकि हमें आपका कोई विकल्प नहीं मिला")
    assert_queued(root)
    row = interaction(app)
    assert [k for k, _ in events(row)][-4:] == [
        "menu_no_input", "department_chosen", "handed_off", "queued"]
    assert dict(events(row))["department_chosen"] == {"department": "support", "how": "default"}


@freeze_time(OPEN_HOURS)
def test_a_wrong_key_is_asked_again_but_silence_after_it_is_not(app, demo, phone):
    call = phone(ASHA)
    call.dial()
    root = call.press("9")
    assert "attempt=2" in root.find("Gather").get("action")
    root = call.stay_silent()
    assert words(root).startswith("चूँकि हमें आपका कोई विकल्प नहीं मिला")
    assert_queued(root)


@freeze_time(OPEN_HOURS)
def test_silence_at_the_account_question_moves_on_to_the_menu(app, demo, phone):
    call = phone("+14155550199")  # nobody we know
    call.dial()
    root = call.press("1")  # English
    assert "account number" in words(root)
    root = call.stay_silent()  # the account number
    assert "menu" in root.find("Gather").get("action")
    assert "attempt=1" in root.find("Gather").get("action")
    assert "could not find your account" not in words(root)  # none was keyed


@freeze_time(OPEN_HOURS)
def test_max_attempts_is_a_setting(app, demo, phone):
    app.config["IVR_MAX_ATTEMPTS"] = 1
    call = phone(ASHA)
    call.dial()
    root = call.press("9")
    assert "तकनीकी सहायता" in words(root) and root[-1].find("Conference") is not None


# 13:00 UTC on Wednesday is 18:30 in Kolkata: billing (09:00-18:00 there) has just closed,
# although a clock in UTC would say it is mid-afternoon.
@freeze_time("2026-11-25 13:00:00")
def test_after_hours_in_the_departments_time_zone(app, demo, phone):
    call = phone(ASHA)
    call.dial()
    root = call.press("1")
    text = words(root)
    assert "हमें खेद है, बिलिंग विभाग इस समय बंद है।" in text
    assert "सोमवार से शुक्रवार, 09:00 से 18:00 तक" in text
    assert "Kolkata" in text
    assert voices(root) == {HINDI}
    # The department's voicemail box; the words after it are heard only if nothing was said.
    assert [el.tag for el in root][-3:] == ["Record", "Say", "Hangup"]
    kinds = [k for k, _ in events(interaction(app))]
    assert kinds[-3:-1] == ["department_chosen", "after_hours"]
    assert kinds[-1] == "callback_opened"  # a closed door still gets a call back
    assert "handed_off" not in kinds

    # Sales keeps Kuala Lumpur hours (09:00-17:00, 21:00 there now): closed as well, in English.
    english = phone("+12025550143")
    english.dial()
    root = english.press("3")
    assert "Sales is closed right now" in words(root)
    assert "Monday to Friday, 09:00 to 17:00 and Saturday, 10:00 to 14:00" in words(root)
    assert "Kuala Lumpur time" in words(root)


@freeze_time("2026-12-25 06:00:00")  # 11:30 on Christmas Day in Kolkata, a Friday
def test_a_holiday_is_closed_all_day(app, demo, phone):
    call = phone("+12025550143")
    call.dial()
    root = call.press("1")
    assert "Billing is closed today for Christmas Day" in words(root)


@freeze_time(OPEN_HOURS)
def test_no_departments_still_gets_an_honest_answer(app, phone, client):
    from tests.ivr.conftest import ADMIN

    root = phone("anonymous").dial()
    assert words(root).startswith("Thank you for calling Example Support. We are here to help. "
                                  "We are sorry, we cannot connect your call right now.")
    # Nobody to put them through to, but the call does not just end: a message is taken.
    record = root.find("Record")
    assert record is not None and "box=general" in record.get("action")
    assert events(interaction(app))[0] == ("greeted", {
        "language": "en", "known": False, "caller": "withheld", "unavailable": "no_departments"})

    # A caller already in the menu when the last department is switched off.
    client.post("/api/departments", json={"slug": "a", "name": "A", "menu_key": "1"},
                headers=ADMIN)
    client.post("/api/departments", json={"slug": "b", "name": "B", "menu_key": "2"},
                headers=ADMIN)
    call = phone("anonymous")
    call.dial()
    call.press("1")
    call.press("*")
    for slug in ("a", "b"):
        client.patch(f"/api/departments/{slug}", json={"active": False}, headers=ADMIN)
    root = call.press("1")
    assert "cannot connect your call right now" in words(root)
    assert root.find("Record") is not None


@freeze_time(OPEN_HOURS)
def test_a_single_department_needs_no_menu(app, phone, client):
    from tests.ivr.conftest import ADMIN

    client.post("/api/departments", json={"slug": "help", "name": "Help desk", "menu_key": "1"},
                headers=ADMIN)
    call = phone("anonymous")
    call.dial()
    call.press("1")
    root = call.press("*")
    assert "nobody in Help desk can take your call right now" in words(root)
