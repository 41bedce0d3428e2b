"""The languages callers can be served in, and how Twilio speaks and hears each of them.

Voices come from docs/twilio-notes: Bengali uses Google's bn-IN Standard-C because the A and
B voices are unconfirmed; Malay has no Polly voice.

This table is the one place a language is declared: the IVR's menu, speech matching, the
customer record and the prompt catalogue all read it (docs/architecture.md, "Adding a
language"). The catalogue test then lists every prompt still to translate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own script, for people reading lists
    voice: str  # <Say voice=...>
    say_language: str  # <Say language=...>
    speech_language: str  # <Gather language=...> for speech recognition
    digits: tuple[str, ...]  # "zero" to "nine" as a caller says them, to match a menu key


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "Polly.Joanna", "en-US", "en-US",
                   ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                    "nine")),
    "hi": Language("hi", "हिन्दी", "Polly.Aditi", "hi-IN", "hi-IN",
                   ("शून्य", "एक", "दो", "तीन", "चार", "पाँच", "छह", "सात", "आठ", "नौ")),
    "bn": Language("bn", "বাংলা", "Google.bn-IN-Standard-C", "bn-IN", "bn-IN",
                   ("শূন্য", "এক", "দুই", "তিন", "চার", "পাঁচ", "ছয়", "সাত", "আট", "নয়")),
    "ms": Language("ms", "Bahasa Melayu", "Google.ms-MY-Standard-A", "ms-MY", "ms-MY",
                   ("kosong", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "lapan",
                    "sembilan")),
}


def is_supported(code: str | None) -> bool:
    return bool(code) and code in LANGUAGES


def language(code: str | None, default: str = "en") -> Language:
    """The language for `code`, or the default one for anything unknown (never raises)."""
    if code and code in LANGUAGES:
        return LANGUAGES[code]
    return LANGUAGES.get(default, LANGUAGES["en"])


def offered(codes: str | list[str]) -> list[str]:
    """The languages the menu offers, in order, from a setting like "en,hi,bn,ms"."""
    items = codes.split(",") if isinstance(codes, str) else codes
    chosen = [c.strip() for c in items if c.strip() in LANGUAGES]
    return list(dict.fromkeys(chosen)) or list(LANGUAGES)
