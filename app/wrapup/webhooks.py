"""Twilio webhooks of wrap-up: the caller's answer to the after-call survey."""

from __future__ import annotations

from flask import request

from app.telephony import twilio_webhook
from app.wrapup import bp, survey


@bp.post("/wrapup/survey")
@twilio_webhook
def survey_answer():
    """The caller's key in answer to the survey question (or none: asked once more)."""
    attempt = request.args.get("attempt", "1")
    return survey.answer(request.args.get("call", ""), request.args.get("lang", "en"),
                         int(attempt) if attempt.isdigit() else 1,
                         request.form.get("Digits", ""))
