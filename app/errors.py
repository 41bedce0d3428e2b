"""Domain errors carry a stable id and details; they become responses in one place."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """An error a client can act on. `error_id` is stable; `details` say what was wrong."""

    error_id = "domain_error"
    status = 400

    def __init__(self, message: str, *, error_id: str | None = None, status: int | None = None,
                 **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if error_id:
            self.error_id = error_id
        if status:
            self.status = status
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"id": self.error_id, "message": self.message, "details": self.details}}


class NotFound(DomainError):
    error_id = "not_found"
    status = 404


class Conflict(DomainError):
    error_id = "conflict"
    status = 409


class InvalidInput(DomainError):
    error_id = "invalid_input"
    status = 400


def json_object(*, empty_ok: bool = False) -> dict[str, Any]:
    """The request's JSON body, which must be an object; with `empty_ok`, no body at all is
    an empty one (actions whose fields are all optional)."""
    body = request.get_json(silent=True)
    if body is None and empty_ok and not request.data:
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("Send a JSON object.")
    return body


def error_body(error_id: str, message: str, **details: Any) -> dict[str, Any]:
    return {"error": {"id": error_id, "message": message, "details": details}}


def register_error_handlers(app: Flask) -> None:
    """JSON errors for the API. Webhooks never get here: their decorator answers TwiML."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        body = error_body(
            (err.name or "http_error").lower().replace(" ", "_"), err.description or err.name
        )
        return jsonify(body), err.code or 500

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error_body("internal_error", "Something went wrong on our side.")), 500
