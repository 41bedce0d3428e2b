"""The languages callers are served in: one module per language, and nothing else to edit.

Each module of this package (`hi.py`, `ms.py`, ...) is one language: its `LANGUAGE` row (how
Twilio speaks and hears it, its place in the language menu) and its `PROMPTS`, the texts of
every package's prompt keys in that language. The packages register their keys with the
English texts (`floor.prompts.register_defaults`); English is the source language, so `en.py`
holds its row only. `app.floor.languages` finds the modules here by listing the package, so a
new file is a new language (docs/architecture.md, "Adding a language").
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1: what a customer record, a URL and the prompts table hold
    name: str  # in its own script, for people reading lists
    voice: str  # <Say voice=...> (check it in /work/shared/twilio-notes.md)
    say_language: str  # <Say language=...>
    speech_language: str  # <Gather language=...> for speech recognition
    digits: tuple[str, ...]  # "zero" to "nine" as a caller says them, to match a menu key
    # Its place in the language menu when IVR_LANGUAGES leaves the choice to this table
    # (key 1 is the lowest).
    menu_order: int
    # A pattern every text in this language contains (re.search), so that a text pasted in
    # the wrong language fails tests/floor/test_catalogue.py; "" checks nothing.
    script: str = ""


@dataclass(frozen=True)
class Locale:
    """One module of this package: the language and its texts, by prompt key."""

    language: Language
    prompts: Mapping[str, str] = field(default_factory=dict)


def shipped() -> list[Locale]:
    """Every language module of this package, in menu order (then by code)."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        language: Language = loaded.LANGUAGE
        if language.code != module.name:
            raise ValueError(f"{loaded.__file__} declares {language.code!r}: a language's "
                             f"module is named for its code")
        found.append(Locale(language, MappingProxyType(dict(getattr(loaded, "PROMPTS", {})))))
    return sorted(found, key=lambda locale: (locale.language.menu_order, locale.language.code))
