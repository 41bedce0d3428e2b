"""Errors an operator can act on when editing prompts and departments."""

from __future__ import annotations

from app.errors import Conflict, InvalidInput, NotFound


class UnknownPromptKey(InvalidInput):
    error_id = "unknown_prompt_key"


class UnsupportedLanguage(InvalidInput):
    error_id = "unsupported_language"


class InvalidPromptText(InvalidInput):
    error_id = "invalid_prompt_text"


class InvalidDepartment(InvalidInput):
    error_id = "invalid_department"


class InvalidHours(InvalidInput):
    error_id = "invalid_hours"


class DepartmentNotFound(NotFound):
    error_id = "department_not_found"


class DepartmentConflict(Conflict):
    error_id = "department_conflict"
