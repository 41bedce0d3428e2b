"""The languages callers can be served in, read from the modules of `app/floor/locales`.

A language is one module there (its row and its texts of every prompt): the IVR's menu and
speech matching, the queue's and voicemail's voices, the customer record, the prompt
catalogue and the admin pages all read this table, so adding that module is the whole change
(docs/architecture.md, "Adding a language"). The catalogue test then lists every prompt still
to translate.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.floor import locales
from app.floor.locales import Language, Locale

__all__ = ["LANGUAGES", "SOURCE", "Language", "in_menu_order", "is_supported", "language",
           "load", "offered", "translation", "translations"]

# The language the packages write their prompts in, and the one anything unknown falls back to.
SOURCE = "en"

# code -> Language, in menu order. Filled in place (never rebound), so that a module holding
# `from app.floor.languages import LANGUAGES` sees a reload.
LANGUAGES: dict[str, Language] = {}
_TEXTS: dict[str, Mapping[str, str]] = {}
_generation = 0


def load() -> None:
    """(Re)read the language modules. Done once on import; a test that adds a module to
    `app/floor/locales` calls it again (and after removing it)."""
    global _generation
    found: list[Locale] = locales.shipped()
    if not any(locale.language.code == SOURCE for locale in found):
        raise RuntimeError(f"app/floor/locales has no {SOURCE}.py: prompts are written in it")
    LANGUAGES.clear()
    LANGUAGES.update((locale.language.code, locale.language) for locale in found)
    _TEXTS.clear()
    _TEXTS.update((locale.language.code, locale.prompts) for locale in found)
    _generation += 1


def generation() -> int:
    """Changes whenever the table is reloaded, so a cache built from it knows it is stale."""
    return _generation


def in_menu_order() -> list[str]:
    return list(LANGUAGES)


def is_supported(code: str | None) -> bool:
    return bool(code) and code in LANGUAGES


def language(code: str | None, default: str = SOURCE) -> Language:
    """The language for `code`, or the default one for anything unknown (never raises)."""
    if code and code in LANGUAGES:
        return LANGUAGES[code]
    return LANGUAGES.get(default, LANGUAGES[SOURCE])


def offered(codes: str | list[str]) -> list[str]:
    """The languages the menu offers, in order, from a setting like "en,hi,bn,ms"; empty (the
    default) offers every language of the table, in its menu order."""
    items = codes.split(",") if isinstance(codes, str) else codes
    chosen = [c.strip() for c in items if c.strip() in LANGUAGES]
    return list(dict.fromkeys(chosen)) or in_menu_order()


def translations(code: str) -> Mapping[str, str]:
    """Every prompt text a language module gives, by key (none for the source language)."""
    return _TEXTS.get(code, {})


def translation(code: str, key: str) -> str | None:
    """One prompt's shipped text in a language other than English, or None if it has none.
    Needs no app, database or Redis (the safe fallback speaks with all three down)."""
    return _TEXTS.get(code, {}).get(key)


load()
