"""Which department a caller chose, from the key they pressed or the words they said."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol

from app.floor import languages

MAX_SPEECH = 500  # SpeechResult is untrusted input; nobody names a department in more


class Choosable(Protocol):
    slug: str
    name: str
    menu_key: str
    names: dict[str, str]
    keywords: dict[str, list[str]]

    def name_in(self, language: str) -> str: ...


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, punctuation dropped, any script."""
    text = unicodedata.normalize("NFC", (text or "")[:MAX_SPEECH]).casefold()
    cleaned = "".join(" " if unicodedata.category(ch)[0] in "PZSC" else ch for ch in text)
    return " ".join(cleaned.split())


def by_key(digits: str, departments: Sequence[Choosable]) -> Choosable | None:
    digits = (digits or "").strip()
    if len(digits) != 1:
        return None
    return next((d for d in departments if d.menu_key == digits), None)


def by_speech(speech: str, language: str,
              departments: Sequence[Choosable]) -> Choosable | None:
    """The department whose keyword (in the caller's language or English), name or spoken
    menu key comes first in what was said; None if nothing matches."""
    said = f" {normalise(speech)} "
    if not said.strip():
        return None
    best: tuple[int, int, Choosable] | None = None
    for order, department in enumerate(departments):
        for phrase in _phrases(department, language):
            at = said.find(f" {phrase} ")
            if at >= 0 and (best is None or (at, order) < best[:2]):
                best = (at, order, department)
    return best[2] if best else None


def hints(departments: Sequence[Choosable], language: str, limit: int = 100) -> str:
    """Twilio's `hints`: the words worth listening for, comma-separated."""
    words: list[str] = []
    for department in departments:
        words += department.keywords.get(language, []) + [department.name_in(language)]
        if language != "en":
            words += department.keywords.get("en", [])
    return ", ".join(list(dict.fromkeys(w for w in words if w))[:limit])


def _phrases(department: Choosable, language: str) -> list[str]:
    raw = list(department.keywords.get(language, []))
    raw += department.keywords.get("en", []) + [department.name, department.slug]
    raw.append(department.names.get(language, ""))
    if department.menu_key.isdigit():
        digit = int(department.menu_key)
        # How callers say the key: in English, and in their language as its module declares.
        raw += [department.menu_key, languages.language(languages.SOURCE).digits[digit]]
        if languages.is_supported(language):
            raw.append(languages.language(language).digits[digit])
    phrases = (normalise(p) for p in raw)
    return [p for p in dict.fromkeys(phrases) if p]
