"""The post-call survey: when the agent hangs up, the caller rates the call with one key.

The queue asks `offer_survey` for the caller's TwiML when their conference ends with the
caller still on the line (queue_hooks(app).after_call); a caller who hung up never
gets here, so they are never asked. Ratings are stored per call (`SurveyResponse`).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.clock import now
from app.errors import NotFound
from app.extensions import db
from app.floor.models import Department
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.queue import queue_services
from app.telephony import VoiceResponse
from app.wrapup import twiml
from app.wrapup.models import DepartmentSurvey, SurveyResponse
from config import app_settings

log = logging.getLogger(__name__)

RATINGS = {"1", "2", "3", "4", "5"}
ATTEMPTS = 2  # the question, then one retry


def survey_enabled(department_id: int | None) -> bool:
    if department_id is None:
        return False
    setting = db.session.get(DepartmentSurvey, department_id)
    return bool(setting and setting.enabled)


def _department_id(interaction: Interaction, call: dict[str, str]) -> int | None:
    slug = call.get("department")
    if slug:
        found = db.session.scalars(select(Department.id).where(Department.slug == slug)).first()
        if found is not None:
            return found
    return interaction.department_id


def _url(call_sid: str, language: str, attempt: int) -> str:
    base = app_settings().PUBLIC_BASE_URL
    return f"{base}/wrapup/survey?call={call_sid}&lang={language}&attempt={attempt}"


def offer_survey(call_sid: str, call: dict[str, str]) -> VoiceResponse | None:
    """The survey question for a caller whose agent has just hung up, or None (no survey:
    the department has none, the call is not a caller's, or they were asked already)."""
    # Only a caller who reached an agent and is still on the line (answered, not ended).
    if call.get("kind") == "callback" or not call.get("answered_at") or \
            call.get("state") == "ended":
        return None
    interaction = interactions.find_by_call_sid(call_sid)
    if interaction is None:
        return None
    department_id = _department_id(interaction, call)
    if not survey_enabled(department_id):
        return None
    existing = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.interaction_id == interaction.id)
    ).first()
    if existing is not None:
        return None  # a retried webhook, or a second conference after a transfer
    db.session.add(SurveyResponse(interaction_id=interaction.id, department_id=department_id))
    interactions.add_event(interaction, "survey_asked")
    db.session.commit()
    language = call.get("language") or interaction.language or "en"
    return _question(call_sid, language, attempt=1, retry=False)


def _question(call_sid: str, language: str, *, attempt: int, retry: bool) -> VoiceResponse:
    phrases = queue_services().phrases
    text = phrases.text("survey.question", language)
    if retry:
        text = f"{phrases.text('survey.retry', language)} {text}"
    return twiml.ask(text=text, action_url=_url(call_sid, language, attempt),
                     voice=phrases.voice(language))


def answer(call_sid: str, language: str, attempt: int, digits: str) -> VoiceResponse:
    """A key (or none) pressed in answer to the question: store the rating, or ask again."""
    phrases = queue_services().phrases
    voice = phrases.voice(language)
    response = _response_for(call_sid)
    if response is None:
        # Not a survey we asked (a stale or replayed request): a polite goodbye, no error.
        return twiml.goodbye(phrases.text("queue.goodbye", language), voice)
    key = (digits or "").strip()[:1]
    if key in RATINGS:
        if response.rating is None:
            response.rating = int(key)
            response.status = "answered"
            response.answered_at = now()
            interaction = db.session.get(Interaction, response.interaction_id)
            interactions.add_event(interaction, "survey_answered", rating=int(key))
            db.session.commit()
        return twiml.goodbye(phrases.text("survey.thanks", language), voice)
    if attempt < ATTEMPTS:
        return _question(call_sid, language, attempt=attempt + 1, retry=True)
    if response.rating is None:
        response.status = "no_answer"
        db.session.commit()
    return twiml.goodbye(phrases.text("queue.goodbye", language), voice)


def _response_for(call_sid: str) -> SurveyResponse | None:
    return db.session.scalars(
        select(SurveyResponse).join(Interaction,
                                    Interaction.id == SurveyResponse.interaction_id)
        .where(Interaction.call_sid == call_sid)
    ).first()


def set_survey(department_slug: str, enabled: bool, by: str) -> dict[str, Any]:
    """Switch a department's survey on or off (the caller commits)."""
    department = db.session.scalars(
        select(Department).where(Department.slug == department_slug)
    ).first()
    if department is None:
        raise NotFound("No such department.", department=department_slug)
    setting = db.session.get(DepartmentSurvey, department.id)
    if setting is None:
        setting = DepartmentSurvey(department_id=department.id)
        db.session.add(setting)
    setting.enabled = bool(enabled)
    setting.updated_by = by
    return {"department": department.slug, "enabled": setting.enabled}


def surveys() -> list[dict[str, Any]]:
    """Every department with its survey switch and the ratings so far."""
    settings = {s.department_id: s.enabled for s in db.session.scalars(select(DepartmentSurvey))}
    out = []
    for department in db.session.scalars(select(Department).order_by(Department.position)):
        ratings = list(db.session.scalars(
            select(SurveyResponse.rating).where(SurveyResponse.department_id == department.id,
                                                SurveyResponse.rating.is_not(None))))
        out.append({
            "department": department.slug,
            "enabled": settings.get(department.id, False),
            "answered": len(ratings),
            "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
        })
    return out
