"""Voicemail boxes: their greetings per language, message length and callback target."""

from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import select

from app.admin import bp, forms
from app.admin.pages import save
from app.auth import login_required
from app.extensions import db
from app.floor.languages import LANGUAGES
from app.voicemail import boxes
from app.voicemail.models import VoicemailBox


@bp.get("/voicemail")
@login_required(role="supervisor")
def box_list():
    items = db.session.scalars(select(VoicemailBox).order_by(VoicemailBox.kind,
                                                             VoicemailBox.slug)).all()
    return render_template("admin/voicemail.html", boxes=items, languages=LANGUAGES,
                           worked_by=boxes.worked_by)


@bp.post("/voicemail/general")
@login_required(role="supervisor")
def box_open_general():
    """Boxes open themselves on first use; the general one can be opened ahead to edit it."""
    return save(boxes.general_box, "The general box is ready to edit.",
                to=url_for("admin.box_list"))


@bp.get("/voicemail/<int:box_id>")
@login_required(role="supervisor")
def box_edit(box_id: int):
    box = boxes.find_box(box_id)
    defaults = {code: boxes.greeting(VoicemailBox(name=box.name, slug=box.slug, greetings={}),
                                     code) for code in LANGUAGES}
    return render_template("admin/box.html", box=box, languages=LANGUAGES, defaults=defaults,
                           worked_by=boxes.worked_by(box))


@bp.post("/voicemail/<int:box_id>")
@login_required(role="supervisor")
def box_save(box_id: int):
    box = boxes.find_box(box_id)
    form = request.form

    def change() -> None:
        boxes.update_box(box, {
            "name": form.get("name", ""),
            "greetings": {code: form.get(f"greeting-{code}", "") for code in LANGUAGES},
            "max_length_seconds": forms.positive_int(form, "max_length_seconds", 5, 3600),
            "callback_target_minutes": forms.positive_int(form, "callback_target_minutes", 1,
                                                          60 * 24 * 14),
        })

    return save(change, f"Box {box.slug} saved.", to=url_for("admin.box_edit", box_id=box_id))
