"""The prompt catalogue: every phrase a caller hears, per key and language (R9, R15).

Each package registers its own keys with their English texts, `register_defaults(app,
{key: text})`, when its blueprint is registered (the IVR's, the queue's, call controls',
voicemail's, the survey's), so this catalogue imports none of them. The other languages' texts
of every key are in the language's module of `app/floor/locales`. Operators override any text
per key and language in the `prompts` table. Lookups go through the shared IVR cache, so an
edit is heard on the very next call in every web process.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from app.extensions import db
from app.floor import cache, languages
from app.floor.errors import InvalidPromptText, UnknownPromptKey, UnsupportedLanguage
from app.floor.models import Prompt

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 2000  # well under <Say>'s 4,096 characters, with room for placeholders
FALLBACK_LANGUAGE = languages.SOURCE

Catalogue = dict[str, dict[str, str]]  # key -> language -> text

_DEFAULTS = "prompt_defaults"
_MERGED = "floor.shipped_prompts"


def register_defaults(app: Flask, english: Mapping[str, str]) -> None:
    """Add a package's prompt keys with their English texts (key -> text) to the app's
    catalogue; their other languages come from app/floor/locales. Later registrations win on
    a clash; the app factory registers the IVR's first."""
    for key, text_ in english.items():
        if not isinstance(text_, str):
            raise TypeError(f"prompt {key!r}: register its English text; the other languages' "
                            "texts belong in app/floor/locales/<code>.py")
    app.extensions.setdefault(_DEFAULTS, []).append(dict(english))
    app.extensions.pop(_MERGED, None)


def registered() -> dict[str, str]:
    """Every registered key with its English text."""
    english: dict[str, str] = {}
    for source in current_app.extensions.get(_DEFAULTS, []):
        english.update(source)
    return english


def shipped() -> Catalogue:
    """Every shipped default, by key then language: the registered English and each
    language module's text of that key (a key it has no text for falls back to English)."""
    app = current_app._get_current_object()
    built = app.extensions.get(_MERGED)
    if built is None or built[0] != languages.generation():
        merged: Catalogue = {}
        for key, english in registered().items():
            texts = merged[key] = {FALLBACK_LANGUAGE: english}
            for code in languages.LANGUAGES:
                translated = languages.translation(code, key)
                if translated is not None:
                    texts[code] = translated
        built = app.extensions[_MERGED] = (languages.generation(), merged)
    return built[1]


def placeholders(key: str) -> set[str]:
    """The values a key's text may use: those its shipped texts use."""
    names: set[str] = set()
    for text in shipped().get(key, {}).values():
        names |= _fields(text)
    return names


def overrides() -> dict[tuple[str, str], str]:
    return cache.cache().get("prompts", _load_overrides)


def _load_overrides() -> dict[tuple[str, str], str]:
    return {(p.key, p.language): p.text for p in db.session.scalars(select(Prompt))}


def template(key: str, language: str) -> str:
    """The text for key and language: the override, else the default, else English."""
    custom = overrides().get((key, language))
    if custom is not None:
        return custom
    defaults = shipped().get(key)
    if defaults is None:
        raise UnknownPromptKey(f"No prompt {key!r}.", key=key)
    return defaults.get(language) or defaults[FALLBACK_LANGUAGE]


def text(key: str, language: str, /, **values: Any) -> str:
    """The phrase, filled in. Never fails on an operator's text: falls back to the default."""
    try:
        return _render(template(key, language), values)
    except (ValueError, IndexError, AttributeError, KeyError):
        log.exception("prompt %s/%s did not render; using the shipped default", key, language)
        defaults = shipped()[key]
        return _render(defaults.get(language) or defaults[FALLBACK_LANGUAGE], values)


# -- editing --------------------------------------------------------------------------------

def validate(key: str, language: str, text_: str | None = None) -> None:
    if key not in shipped():
        raise UnknownPromptKey(f"There is no prompt {key!r}.", key=key,
                               hint="GET /api/prompts or `flask prompts list` lists the keys")
    if language not in languages.LANGUAGES:
        raise UnsupportedLanguage(f"Language {language!r} is not supported.", language=language,
                                  supported=sorted(languages.LANGUAGES))
    if text_ is None:
        return
    if not isinstance(text_, str) or not text_.strip():
        raise InvalidPromptText("The text must not be empty.", key=key, language=language)
    if len(text_) > MAX_TEXT_LENGTH:
        raise InvalidPromptText(f"The text is longer than {MAX_TEXT_LENGTH} characters.",
                                key=key, language=language, length=len(text_))
    try:
        used = _fields(text_)
    except ValueError as err:
        raise InvalidPromptText(
            f"The text is not a valid template ({err}); write {{{{ and }}}} for literal braces.",
            key=key, language=language) from None
    allowed = placeholders(key)
    unknown = sorted(used - allowed)
    if unknown:
        raise InvalidPromptText(
            f"Unknown placeholder(s) {', '.join('{' + u + '}' for u in unknown)} for {key}.",
            key=key, language=language, unknown=unknown, allowed=sorted(allowed))


def set_override(key: str, language: str, text_: str) -> Prompt:
    """Stage an override (callers commit, then call `cache.changed()`)."""
    validate(key, language, text_)
    prompt = _find(key, language)
    if prompt is None:
        prompt = Prompt(key=key, language=language, text=text_)
        db.session.add(prompt)
    else:
        prompt.text = text_
    return prompt


def reset(key: str, language: str) -> bool:
    """Drop the override, so the shipped default applies again. False if there was none."""
    validate(key, language)
    prompt = _find(key, language)
    if prompt is None:
        return False
    db.session.delete(prompt)
    return True


def listing(language: str | None = None, prefix: str | None = None) -> list[dict[str, Any]]:
    """Every key and language with the text in force, its default and its placeholders."""
    if language is not None and language not in languages.LANGUAGES:
        raise UnsupportedLanguage(f"Language {language!r} is not supported.", language=language,
                                  supported=sorted(languages.LANGUAGES))
    custom = _load_overrides()
    codes = [language] if language else list(languages.LANGUAGES)
    rows = []
    for key in sorted(shipped()):
        if prefix and not key.startswith(prefix):
            continue
        defaults = shipped()[key]
        allowed = sorted(placeholders(key))
        for lang in codes:
            default = defaults.get(lang) or defaults[FALLBACK_LANGUAGE]
            override = custom.get((key, lang))
            rows.append({
                "key": key, "language": lang, "text": override if override is not None else default,
                "default": default, "overridden": override is not None, "placeholders": allowed,
            })
    return rows


def _find(key: str, language: str) -> Prompt | None:
    return db.session.scalars(
        select(Prompt).where(Prompt.key == key, Prompt.language == language)
    ).first()


def _fields(text_: str) -> set[str]:
    names = set()
    for _literal, field, spec, conversion in string.Formatter().parse(text_):
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            # Attribute access or format specs would let a prompt reach into Python objects.
            raise ValueError(f"{{{field}}} is not a plain placeholder")
        names.add(field)
    return names


class _Values(dict):
    def __missing__(self, name: str) -> str:
        return ""


def _render(template_: str, values: Mapping[str, Any]) -> str:
    return template_.format_map(_Values(values))
