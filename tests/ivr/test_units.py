"""Pure pieces: business hours, speaking them, and matching what the caller said."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.floor import hours, languages
from app.floor.departments import DepartmentView
from app.floor.errors import InvalidHours
from app.ivr import matching
from app.ivr.prompt_defaults import IVR_PROMPTS

NINE_TO_FIVE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_is_open_in_the_departments_zone_across_daylight_saving():
    ny = "America/New_York"
    # 13:30 UTC is 09:30 in New York in summer (EDT) but 08:30 in winter (EST).
    assert hours.is_open(NINE_TO_FIVE, ny, {}, at("2026-07-15 13:30"))
    assert not hours.is_open(NINE_TO_FIVE, ny, {}, at("2026-01-14 13:30"))
    # The end is exclusive; Saturday is closed; a holiday is closed all day.
    assert not hours.is_open(NINE_TO_FIVE, ny, {}, at("2026-07-15 21:00"))
    assert not hours.is_open(NINE_TO_FIVE, ny, {}, at("2026-07-18 15:00"))
    assert not hours.is_open(NINE_TO_FIVE, ny, {date(2026, 7, 15): ""}, at("2026-07-15 15:00"))
    # No schedule at all: always open.
    assert hours.is_open({}, ny, {}, at("2026-07-18 03:00"))
    # The local date decides the holiday: 02:00 UTC on the 16th is still the 15th in New York.
    assert hours.holiday_today(ny, {date(2026, 7, 15): "X"}, at("2026-07-16 02:00")) == "X"


def test_until_midnight():
    schedule = hours.validate_schedule({"sat": ["18:00-24:00"]})
    assert hours.is_open(schedule, "UTC", {}, at("2026-07-18 23:59"))


@pytest.mark.parametrize("bad", [
    {"mon": [["09:00"]]}, {"mon": [["09:00", "17:60"]]}, {"mon": "9-5"},
    {"mon": [["24:00", "24:00"]]}, {"mon": [[9, 17]]}, {"mon": {"from": "09:00"}},
])
def test_invalid_schedules(bad):
    with pytest.raises(InvalidHours):
        hours.validate_schedule(bad)


def test_cli_schedule():
    assert hours.parse_cli_schedule(["mon-wed=09:00-12:00,13:00-17:00", "sat,sun=closed"]) == {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "17:00"]],
        "wed": [["09:00", "12:00"], ["13:00", "17:00"]],
        "sat": [], "sun": [],
    }
    for bad in (["fri-mon=09:00-17:00"], ["mon"], ["someday=09:00-10:00"]):
        with pytest.raises(InvalidHours):
            hours.parse_cli_schedule(bad)


def phrase_in(lang):
    def phrase(key, /, **values):
        return (languages.translation(lang, key) or IVR_PROMPTS[key]).format(**values)
    return phrase


def test_describe_groups_days_in_each_language():
    schedule = {**NINE_TO_FIVE, "sat": [["10:00", "14:00"]]}
    assert hours.describe(schedule, phrase_in("en")) == (
        "Monday to Friday, 09:00 to 17:00 and Saturday, 10:00 to 14:00")
    assert hours.describe(schedule, phrase_in("bn")) == (
        "সোমবার থেকে শুক্রবার, 09:00 থেকে 17:00 পর্যন্ত এবং শনিবার, 10:00 থেকে 14:00 পর্যন্ত")
    assert hours.describe({"mon": [], "wed": []}, phrase_in("ms")) == (
        "belum ditetapkan buat masa ini")
    assert hours.describe({}, phrase_in("hi")) == "हर दिन, चौबीसों घंटे"
    assert hours.zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires"


def department(slug, key, **keywords):
    return DepartmentView(id=1, slug=slug, name=slug.title(), menu_key=key, timezone="UTC",
                          is_default=False, position=0, keywords=keywords)


DEPTS = [department("billing", "1", en=["billing", "invoice"], hi=["बिलिंग", "बिल"]),
         department("support", "2", en=["support", "not working"], hi=["तकनीकी सहायता"])]


@pytest.mark.parametrize(("said", "lang", "slug"), [
    ("Billing!", "en", "billing"),
    ("my internet is not working", "en", "support"),
    ("मुझे बिल के बारे में पूछना है", "hi", "billing"),
    ("तकनीकी सहायता चाहिए।", "hi", "support"),
    ("support, no wait, billing", "en", "support"),
    ("two", "en", "support"),
    ("दो", "hi", "support"),
    ("billingsgate", "en", None),
    ("", "en", None),
])
def test_speech_matching(said, lang, slug):
    found = matching.by_speech(said, lang, DEPTS)
    assert (found.slug if found else None) == slug


def test_hints_carry_the_callers_language_and_english():
    assert matching.hints(DEPTS, "hi").split(", ")[:3] == ["बिलिंग", "बिल", "Billing"]
