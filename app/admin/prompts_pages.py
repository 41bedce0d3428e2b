"""Prompts per language: edit a text and the very next call speaks it (R9, R15)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for

from app.admin import bp
from app.admin.pages import save
from app.auth import login_required
from app.floor import prompts
from app.floor.languages import LANGUAGES


@bp.get("/prompts")
@login_required(role="supervisor")
def prompt_list():
    language = request.args.get("lang", "en")
    if language not in LANGUAGES:
        abort(404)
    search = request.args.get("q", "").strip().lower()
    rows = [r for r in prompts.listing(language)
            if not search or search in r["key"].lower() or search in r["text"].lower()]
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["key"].split(".", 1)[0], []).append(row)
    return render_template("admin/prompts.html", groups=groups, language=language,
                           languages=LANGUAGES, search=search, count=len(rows))


def _back(language: str, key: str) -> str:
    return url_for("admin.prompt_list", lang=language, q=request.form.get("q") or None,
                   _anchor=f"prompt-{key}")


@bp.post("/prompts/<key>/<language>")
@login_required(role="supervisor")
def prompt_save(key: str, language: str):
    text = request.form.get("text", "").strip()
    return save(lambda: prompts.set_override(key, language, text),
                f"Saved {key} ({LANGUAGES[language].name if language in LANGUAGES else language})."
                " The next call hears it.", to=_back(language, key), config=True)


@bp.post("/prompts/<key>/<language>/reset")
@login_required(role="supervisor")
def prompt_reset(key: str, language: str):
    return save(lambda: prompts.reset(key, language),
                f"{key} is back to the shipped text.", to=_back(language, key), config=True)
