"""JSON API for operators: prompts and departments, editable without a deploy (R9)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.auth import require_api_auth
from app.errors import InvalidInput
from app.extensions import db
from app.floor import cache, departments, prompts
from app.floor.languages import LANGUAGES
from app.ivr import bp


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object (Content-Type: application/json).")
    return body


def _publish() -> None:
    db.session.commit()
    cache.changed()


# -- prompts ----------------------------------------------------------------------------------

def _prompt(key: str, language: str) -> dict[str, Any]:
    return next(row for row in prompts.listing(language) if row["key"] == key)


@bp.get("/api/prompts")
@require_api_auth()
def list_prompts():
    lang = request.args.get("lang") or None
    rows = prompts.listing(lang, prefix=request.args.get("prefix") or None)
    languages = {code: {"name": lg.name, "voice": lg.voice, "language": lg.say_language}
                 for code, lg in LANGUAGES.items()}
    return jsonify({"prompts": rows, "languages": languages})


@bp.get("/api/prompts/<key>/<language>")
@require_api_auth()
def get_prompt(key: str, language: str):
    prompts.validate(key, language)
    return jsonify(_prompt(key, language))


@bp.put("/api/prompts/<key>/<language>")
@require_api_auth()
def set_prompt(key: str, language: str):
    text = _body().get("text")
    if not isinstance(text, str):
        raise InvalidInput('Send {"text": "..."}.', field="text")
    prompts.set_override(key, language, text)
    _publish()
    return jsonify(_prompt(key, language))


@bp.delete("/api/prompts/<key>/<language>")
@require_api_auth()
def reset_prompt(key: str, language: str):
    prompts.reset(key, language)
    _publish()
    return jsonify(_prompt(key, language))


# -- departments ------------------------------------------------------------------------------

@bp.get("/api/departments")
@require_api_auth()
def list_departments():
    return jsonify({"departments": [departments.to_dict(d) for d in departments.all_departments()]})


@bp.post("/api/departments")
@require_api_auth()
def create_department():
    department = departments.create(_body())
    _publish()
    return jsonify(departments.to_dict(department)), 201


@bp.get("/api/departments/<slug>")
@require_api_auth()
def get_department(slug: str):
    return jsonify(departments.to_dict(departments.get(slug)))


@bp.patch("/api/departments/<slug>")
@require_api_auth()
def update_department(slug: str):
    department = departments.update(departments.get(slug), _body())
    _publish()
    return jsonify(departments.to_dict(department))


@bp.delete("/api/departments/<slug>")
@require_api_auth()
def delete_department(slug: str):
    departments.remove(departments.get(slug))
    _publish()
    return "", 204


@bp.get("/api/departments/<slug>/holidays")
@require_api_auth()
def list_holidays(slug: str):
    return jsonify({"holidays": departments.to_dict(departments.get(slug))["holidays"]})


@bp.post("/api/departments/<slug>/holidays")
@require_api_auth()
def add_holiday(slug: str):
    body = _body()
    name = body.get("name", "")
    department = departments.get(slug)
    holiday = departments.add_holiday(department, body.get("day"), name)
    _publish()
    return jsonify({"day": holiday.day.isoformat(), "name": holiday.name}), 201


@bp.delete("/api/departments/<slug>/holidays/<day>")
@require_api_auth()
def remove_holiday(slug: str, day: str):
    departments.remove_holiday(departments.get(slug), day)
    _publish()
    return "", 204
