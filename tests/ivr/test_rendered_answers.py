"""The first answer is rendered once per configuration and filled in per caller
(app/telephony/template.py): every caller must still hear exactly what a full render says."""

from __future__ import annotations

from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from app.customers import services as customers
from app.extensions import db
from app.floor import prompts
from app.telephony import TwimlTemplate, VoiceResponse
from app.telephony.webhook import twiml_text
from tests.ivr.conftest import OPEN_HOURS, spoken

CALLER = "+14155550123"


def _greeting_and_menu(name: str) -> VoiceResponse:
    """Shaped like the IVR's answer: the name in a <Say>, then a <Gather> with attributes."""
    response = VoiceResponse()
    response.say(f"Hello {name}, thank you for calling.", voice="Polly.Aditi", language="hi-IN")
    gather = response.gather(action="https://example.test/ivr/menu?lang=hi&attempt=1",
                             input="dtmf speech", hints="billing, support", num_digits=1)
    gather.say("Press 1 for billing & 2 for <support>.", voice="Polly.Aditi")
    response.redirect("https://example.test/ivr/menu?lang=hi&attempt=1")
    return response


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_filled_template_is_the_document_a_full_render_gives(name):
    template = TwimlTemplate.of(_greeting_and_menu, "name")
    assert template is not None
    assert template.fill({"name": name}) == twiml_text(_greeting_and_menu(name))


def test_a_value_that_would_land_in_an_attribute_or_be_cut_gets_no_template():
    def in_attribute(name: str) -> VoiceResponse:
        response = VoiceResponse()
        response.say("Hello", voice=name)
        return response

    def cut_short(name: str) -> VoiceResponse:
        response = VoiceResponse()
        response.say(f"Hello {name:.3}")
        return response

    assert TwimlTemplate.of(in_attribute, "name") is None
    assert TwimlTemplate.of(cut_short, "name") is None


def _customer(app, name: str, language: str = "en") -> None:
    with app.app_context():
        customers.create_customer(name=name, language=language, phones=[CALLER])
        db.session.commit()


@freeze_time(OPEN_HOURS)
def test_a_name_with_markup_and_control_characters_is_greeted_exactly(app, demo, phone):
    name = "Zoë <&> \"O'Brien\"\x07 ✓"
    _customer(app, name, language="hi")
    for _ in range(3):  # the first call renders the template, the others fill it
        root = phone(CALLER).dial()
        with app.app_context():
            expected = prompts.text("greeting.known", "hi", name=name.replace("\x07", ""),
                                    organisation=app.config["ORGANISATION_NAME"])
        assert spoken(root)[0].text == expected
        assert root.find("Gather") is not None


@freeze_time(OPEN_HOURS)
def test_each_caller_hears_their_own_name_and_language(app, demo, phone):
    _customer(app, "Mina", language="bn")
    with app.app_context():
        customers.create_customer(name="Ravi", language="hi", phones=["+14155550124"])
        db.session.commit()
    for number, start, voice in [(CALLER, "নমস্কার Mina", "Google.bn-IN-Standard-C"),
                                 ("+14155550124", "नमस्ते Ravi", "Polly.Aditi"),
                                 (CALLER, "নমস্কার Mina", "Google.bn-IN-Standard-C")]:
        first = spoken(phone(number).dial())[0]
        assert first.text.startswith(start)
        assert first.voice == voice
