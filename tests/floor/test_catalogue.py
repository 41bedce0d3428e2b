"""The one prompt catalogue: every package's shipped prompts, complete in every language."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.floor import cache, languages, prompts
from app.floor.languages import LANGUAGES

# One key of each package that registers prompts, so a package that stops registering (or
# speaks from a private dictionary again) fails here rather than on a caller's phone.
ONE_KEY_PER_PACKAGE = ("greeting.known", "queue.offer", "calls.hold_apology",
                       "voicemail.greeting", "survey.question")


def catalogue_problems(catalogue: prompts.Catalogue) -> list[tuple[str, ...]]:
    """What a language module still lacks or gets wrong: a key with no text in a language, a
    text whose placeholders differ from the English, a text not in its language's script."""
    found: list[tuple[str, ...]] = []
    for key, texts in catalogue.items():
        found += [("missing", key, code) for code in LANGUAGES if code not in texts]
        english = set(re.findall(r"{(\w+)}", texts["en"]))
        for lang, text in texts.items():
            if set(re.findall(r"{(\w+)}", text)) != english:
                found.append(("placeholders", key, lang))
            script = LANGUAGES[lang].script
            if script and not re.search(script, text):
                found.append(("not in its own script", key, lang))
    return found


def test_every_registered_prompt_exists_in_every_language_with_the_same_placeholders(app):
    with app.app_context():
        catalogue = prompts.shipped()
    assert set(ONE_KEY_PER_PACKAGE) <= set(catalogue)
    assert catalogue_problems(catalogue) == []


def test_the_check_finds_a_missing_text_a_wrong_placeholder_and_a_wrong_script():
    catalogue = {"a": {"en": "For {department}", "hi": "{department} के लिए", "bn": "x {key}"},
                 "b": {"en": "Hello", "hi": "नमस्ते", "bn": "নমস্কার", "ms": "Helo ☺"}}
    assert catalogue_problems(catalogue) == [
        ("missing", "a", "ms"), ("placeholders", "a", "bn"), ("not in its own script", "a", "bn"),
        ("not in its own script", "b", "ms")]


def test_every_translated_key_is_one_a_package_registers(app):
    """A key renamed or dropped in its package leaves no text behind in a language module."""
    with app.app_context():
        keys = set(prompts.registered())
    for code in LANGUAGES:
        assert set(languages.translations(code)) <= keys, (code, set(
            languages.translations(code)) - keys)
    assert not languages.translations(languages.SOURCE), "English lives with the packages"


def test_a_package_registers_english_only(app):
    with app.app_context(), pytest.raises(TypeError, match="app/floor/locales"):
        prompts.register_defaults(app, {"queue.offer": {"en": "x", "hi": "y"}})


def test_a_voicemail_prompt_is_overridden_like_any_other(app):
    from app.voicemail import phrases

    with app.app_context():
        prompts.set_override("voicemail.thanks", "ms", "Terima kasih, jumpa lagi.")
        db.session.commit()
        cache.changed()
        assert phrases.text("voicemail.thanks", "ms") == "Terima kasih, jumpa lagi."
        # The safe fallback speaks without the database, so it keeps the shipped text.
        assert phrases.shipped_text("voicemail.thanks", "ms").startswith("Terima kasih. Pesanan")
