"""The wrap-up form's choices as an operator configures them (WRAPUP_OUTCOMES, WRAPUP_TAGS)."""

from __future__ import annotations

from app.wrapup import options
from app.wrapup.options import Choice
from config import app_settings


def test_items_with_departments_and_labels_are_read_and_repeats_dropped():
    parsed = options.parse(" packaging=support:Packaging issue, complaint ,,praise:Kind words,"
                           "complaint=sales")
    assert parsed == [Choice("packaging", "Packaging issue", "support"),
                      Choice("complaint", "Complaint", None),
                      Choice("praise", "Kind words", None)]


def test_settings_replace_the_shipped_lists(app):
    app.config["WRAPUP_OUTCOMES"] = "sorted:Sorted out,pending"
    assert [c.id for c in options.outcomes(app_settings(app))] == ["sorted", "pending"]
    app.config["WRAPUP_OUTCOMES"] = ""
    assert "resolved" in [c.id for c in options.outcomes(app_settings(app))]


def test_a_configured_tag_carries_its_department(app):
    app.config["WRAPUP_TAGS"] = "delivery=sales:Delivery"
    with app.app_context():
        body = [c.to_dict(True) for c in options.tags(app_settings(app))]
    assert body == [{"id": "delivery", "label": "Delivery", "department": "sales"}]
