"""The one prompt catalogue: every package's shipped prompts, complete in every language."""

from __future__ import annotations

import re

from app.extensions import db
from app.floor import cache, prompts
from app.floor.languages import LANGUAGES

SCRIPTS = {
    "hi": re.compile(r"[\u0900-\u097F]"),  # Devanagari
    "bn": re.compile(r"[\u0980-\u09FF]"),  # Bengali
}

# One key of each package that registers prompts, so a package that stops registering (or
# speaks from a private dictionary again) fails here rather than on a caller's phone.
ONE_KEY_PER_PACKAGE = ("greeting.known", "queue.offer", "calls.hold_apology",
                       "voicemail.greeting", "survey.question")


def test_every_registered_prompt_exists_in_every_language_with_the_same_placeholders(app):
    with app.app_context():
        catalogue = prompts.shipped()
    assert set(ONE_KEY_PER_PACKAGE) <= set(catalogue)
    for key, texts in catalogue.items():
        assert set(texts) == set(LANGUAGES), (key, "missing", set(LANGUAGES) - set(texts))
        english = set(re.findall(r"{(\w+)}", texts["en"]))
        for lang, text in texts.items():
            assert set(re.findall(r"{(\w+)}", text)) == english, (key, lang)
            if lang in SCRIPTS:
                assert SCRIPTS[lang].search(text), (key, lang, "not in its own script")
            if lang == "ms":
                assert text.isascii(), (key, "Malay is written in Latin script")


def test_a_voicemail_prompt_is_overridden_like_any_other(app):
    from app.voicemail import phrases

    with app.app_context():
        prompts.set_override("voicemail.thanks", "ms", "Terima kasih, jumpa lagi.")
        db.session.commit()
        cache.changed()
        assert phrases.text("voicemail.thanks", "ms") == "Terima kasih, jumpa lagi."
        # The safe fallback speaks without the database, so it keeps the shipped text.
        assert phrases.shipped_text("voicemail.thanks", "ms").startswith("Terima kasih. Pesanan")
