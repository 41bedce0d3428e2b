"""The wrap-up form's choices: outcomes, and feedback tags with the department each goes to.

Both lists come from settings (WRAPUP_OUTCOMES, WRAPUP_TAGS), so an operator changes them
without a deploy of code: `id` or `id:Label` items separated by commas; a tag may name the
department whose feedback list it feeds (`packaging=support:Packaging`). A tag with no
department, or one naming a department that does not exist, goes to the call's own
department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config import AppSettings

DEFAULT_OUTCOMES = (
    "resolved:Resolved,follow_up:Follow-up needed,transferred:Transferred,"
    "escalated:Escalated to a manager,callback_promised:Callback promised,"
    "not_resolved:Not resolved"
)
DEFAULT_TAGS = (
    "product_improvement=support:Product improvement,packaging=support:Packaging,"
    "marketing_suggestion=sales:Marketing suggestion,billing_issue=billing:Billing issue,"
    "complaint:Complaint,compliment:Compliment"
)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    department: str | None = None

    def to_dict(self, with_department: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "label": self.label}
        if with_department:
            data["department"] = self.department
        return data


def _label(ident: str) -> str:
    return ident.replace("_", " ").capitalize()


def parse(spec: str) -> list[Choice]:
    """`id[=department][:Label]` items, comma separated; blanks and repeats are dropped."""
    choices: dict[str, Choice] = {}
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        head, _, label = item.partition(":")
        ident, _, department = head.partition("=")
        ident = ident.strip()
        if ident and ident not in choices:
            choices[ident] = Choice(ident, label.strip() or _label(ident),
                                    department.strip() or None)
    return list(choices.values())


def outcomes(settings: AppSettings) -> list[Choice]:
    # The setting's default, empty, means the shipped list.
    return parse(settings.WRAPUP_OUTCOMES or DEFAULT_OUTCOMES)


def tags(settings: AppSettings) -> list[Choice]:
    return parse(settings.WRAPUP_TAGS or DEFAULT_TAGS)
