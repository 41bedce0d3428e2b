"""The recipe of docs/architecture.md, "Adding a language": one new module in app/floor/locales
and nothing else, and callers are offered it, hear the IVR, the queue and voicemail in it, and
operators find it on every page that lists languages.

The test language is Tamil, written to a folder of its own that the fixture adds to the
locales package's path: the very mechanism that finds `hi.py` finds it, and no other package
is touched. It translates only the prompts a caller hears on the way to a voicemail box, so
the catalogue's check must list every other key as still to translate.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

import pytest
from flask import Flask

from app.customers import fields
from app.extensions import db
from app.floor import languages, locales, prompts
from app.floor.locales import Language
from app.ivr import matching
from app.voicemail import boxes
from sim.testing import assert_heard
from tests.admin.helpers import post_form, text
from tests.floor.test_catalogue import catalogue_problems
from tests.flows.conftest import NUMBER, OPEN_HOURS, Floor, emulated_floor

TAMIL_MODULE = '''"""Tamil, added by this one module (tests/floor/test_adding_a_language.py)."""

from app.floor.locales import Language

LANGUAGE = Language(
    code="ta", name="தமிழ்", voice="Google.ta-IN-Standard-A", say_language="ta-IN",
    speech_language="ta-IN",
    digits=("பூஜ்யம்", "ஒன்று", "இரண்டு", "மூன்று", "நான்கு", "ஐந்து", "ஆறு", "ஏழு", "எட்டு",
            "ஒன்பது"),
    menu_order=5,
    script=r"[\\u0B80-\\u0BFF]",
)

PROMPTS = {
    "language.option": "தமிழுக்கு {key} ஐ அழுத்தவும்.",
    "account.ask": "உங்களிடம் கணக்கு எண் இருந்தால், அதை இப்போது உள்ளிட்டு ஹேஷ் விசையை "
                   "அழுத்தவும். இல்லையென்றால், நட்சத்திரத்தை அழுத்தவும்.",
    "menu.intro": "தயவுசெய்து ஒரு துறையைத் தேர்ந்தெடுக்கவும்.",
    "menu.option": "{department} க்கு {key} ஐ அழுத்தவும்.",
    "handoff.connecting": "நன்றி. உங்களை {department} உடன் இணைக்கிறோம்.",
    "queue.no_agents": "மன்னிக்கவும்: இப்போது {department} இல் யாரும் உங்கள் அழைப்பை எடுக்க "
                       "முடியாது.",
    "voicemail.greeting": "நீங்கள் {box} ஐ அடைந்துள்ளீர்கள். பீப் ஒலிக்குப் பிறகு உங்கள் "
                          "பெயரையும் செய்தியையும் விடுங்கள்.",
}
'''
TRANSLATED = {"language.option", "account.ask", "menu.intro", "menu.option",
              "handoff.connecting", "queue.no_agents", "voicemail.greeting"}
TAMIL_VOICE = ("Google.ta-IN-Standard-A", "ta-IN")


@pytest.fixture
def tamil(tmp_path, monkeypatch) -> Iterator[Language]:
    """Tamil's module, found where the shipped languages' modules are found."""
    folder = tmp_path / "more_locales"
    folder.mkdir()
    (folder / "ta.py").write_text(TAMIL_MODULE, encoding="utf-8")
    monkeypatch.setattr(locales, "__path__", [*locales.__path__, str(folder)])
    languages.load()
    try:
        yield languages.LANGUAGES["ta"]
    finally:
        monkeypatch.undo()
        sys.modules.pop("app.floor.locales.ta", None)
        languages.load()


@pytest.fixture
def tamil_floor(tamil, app: Flask) -> Iterator[Floor]:
    with emulated_floor(app, OPEN_HOURS) as emu:
        yield Floor(app, emu)


def says(call) -> list[tuple[str, str, str]]:
    return [(h.text, h.voice, h.language) for h in call.heard if h.kind == "say"]


def test_a_caller_chooses_the_new_language_and_hears_the_ivr_queue_and_voicemail_in_it(
        tamil_floor):
    floor = tamil_floor
    call = floor.emu.dial_in("+14155550123", NUMBER)
    floor.wait_until(lambda: call.has_heard("தமிழுக்கு"), timeout=60)
    # Offered fifth (its menu_order), in its own words and voice: IVR_LANGUAGES is left to
    # the table.
    assert ("தமிழுக்கு 5 ஐ அழுத்தவும்.", *TAMIL_VOICE) in says(call)

    for key in ("5", "*"):  # Tamil; no account number
        asked_at = floor.emu.elapsed
        call.press(key)
        floor.wait_until(lambda since=asked_at: call.gathering and any(
            h.t > since for h in call.heard if h.kind == "say"), timeout=60)
    assert_heard(call, "உங்களிடம் கணக்கு எண் இருந்தால்")  # the account question
    assert_heard(call, "தயவுசெய்து ஒரு துறையைத் தேர்ந்தெடுக்கவும்.")  # the department menu
    call.press("1")  # billing, where nobody is signed in: the way out at once
    floor.wait_until(lambda: call.gathering, timeout=30)
    assert_heard(call, "இப்போது Billing இல் யாரும் உங்கள் அழைப்பை எடுக்க")  # the queue's words
    assert floor.call_state(call.sid)["state"] == "in_offer"

    call.press("2")  # leave a message: the box's greeting
    floor.emu.run_until(lambda: call.has_heard("ஐ அடைந்துள்ளீர்கள்"), timeout=60)
    call.hangup()
    in_tamil = [said for said in says(call) if re.search(r"[\u0B80-\u0BFF]", said[0])]
    assert len(in_tamil) >= 6 and {said[1:] for said in in_tamil} == {TAMIL_VOICE}


def test_the_new_language_is_a_customer_language_and_a_spoken_menu_key(tamil):
    assert fields.clean_language("ta-IN") == "ta"

    class Billing:
        slug, name, menu_key, names, keywords = "billing", "Billing", "1", {}, {}

        def name_in(self, language: str) -> str:
            return self.name

    assert matching.by_speech("ஒன்று", "ta", [Billing()]) is not None


def test_operators_find_the_new_language_on_the_prompt_and_voicemail_pages(tamil, app,
                                                                          supervisor):
    page = text(supervisor.get("/admin/prompts?lang=ta"))
    assert 'aria-current="page">தமிழ்<' in page
    assert "தமிழுக்கு {key} ஐ அழுத்தவும்." in page
    page = text(post_form(supervisor, "/admin/prompts/menu.intro/ta",
                          {"text": "ஒரு துறையைத் தேர்ந்தெடுக்கவும்."}))
    assert "Saved menu.intro (தமிழ்)." in page

    with app.app_context():
        box = boxes.department_box("billing")
        db.session.commit()
        assert boxes.greeting(box, "ta").startswith("நீங்கள் ")
        box_id = box.id
    assert 'name="greeting-ta"' in text(supervisor.get(f"/admin/voicemail/{box_id}"))

    listed = app.test_cli_runner().invoke(args=["ivr", "languages"])
    assert "ta  தமிழ்" in listed.output and "Google.ta-IN-Standard-A" in listed.output


def test_the_catalogue_check_lists_what_the_new_language_still_lacks(tamil, app):
    with app.app_context():
        catalogue = prompts.shipped()
    missing = {key for problem, key, code in catalogue_problems(catalogue)
               if problem == "missing" and code == "ta"}
    assert missing == set(catalogue) - TRANSLATED
    assert [p for p in catalogue_problems(catalogue) if p[0] != "missing"] == []


def test_the_language_is_gone_with_its_module(app):
    assert "ta" not in languages.LANGUAGES
    with app.app_context():
        assert "ta" not in prompts.shipped()["menu.intro"]
