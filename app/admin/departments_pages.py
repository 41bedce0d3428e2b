"""Departments, their hours and holidays, and their escalation ladder."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.admin import bp, forms
from app.admin.pages import explain, save
from app.auth import login_required
from app.errors import DomainError
from app.extensions import db
from app.floor import cache, departments, ladder_actions
from app.floor.hours import DAYS
from app.queue.ladder import DEFAULT_LADDER, HOLD_LIMIT_SECONDS


@bp.get("/departments")
@login_required(role="supervisor")
def department_list():
    return render_template("admin/departments.html", departments=departments.all_departments(),
                           hours_text=forms.hours_text, days=DAYS)


@bp.post("/departments")
@login_required(role="supervisor")
def department_create():
    form = request.form
    slug = form.get("slug", "").strip()
    data = {"slug": slug, "name": form.get("name", ""), "menu_key": form.get("menu_key", ""),
            "timezone": form.get("timezone") or "UTC"}
    return save(lambda: departments.create(data), f"Department {slug} created; callers hear it "
                "in the menu from the next call.",
                to=url_for("admin.department_edit", slug=slug) if slug else
                url_for("admin.department_list"), config=True,
                failed_to=url_for("admin.department_list"))


def _page(department, *, ladder_rows=None, overflow=None, status: int = 200):
    settings = department.settings or {}
    rows = ladder_rows if ladder_rows is not None else (settings.get("ladder") or DEFAULT_LADDER)
    return render_template(
        "admin/department.html", department=department, days=DAYS,
        hours=forms.hours_text(department.hours or {}),
        ladder=rows, blank_rows=max(2, 7 - len(rows)), actions=list(ladder_actions.ACTIONS),
        action_labels=ladder_actions.labels(), step_fields=ladder_actions.fields(),
        custom_ladder=bool(settings.get("ladder")),
        overflow=overflow if overflow is not None else (settings.get("overflow") or []),
        others=[d for d in departments.all_departments() if d.slug != department.slug],
        limit=HOLD_LIMIT_SECONDS,
    ), status


@bp.get("/departments/<slug>")
@login_required(role="supervisor")
def department_edit(slug: str):
    return _page(departments.get(slug))


@bp.post("/departments/<slug>")
@login_required(role="supervisor")
def department_save(slug: str):
    department = departments.get(slug)
    form = request.form

    def change() -> None:
        departments.update(department, {
            "name": form.get("name", ""), "menu_key": form.get("menu_key", ""),
            "timezone": form.get("timezone", "UTC"), "active": bool(form.get("active")),
            "is_default": bool(form.get("is_default")), "hours": forms.hours(form),
        })

    return save(change, f"{department.name} saved.", to=url_for("admin.department_edit",
                                                                  slug=slug), config=True)


@bp.post("/departments/<slug>/missed-calls")
@login_required(role="supervisor")
def missed_calls_save(slug: str):
    """Whether (and after what wait) hung-up callers become missed-call callbacks (R14)."""
    department = departments.get(slug)
    form = request.form
    typed = form.get("missed_call_after_seconds", "").strip()

    def change() -> None:
        departments.update(department, {
            "missed_call_callbacks": bool(form.get("missed_call_callbacks")),
            # Whole seconds as typed; anything else is refused by the same check as the API's.
            "missed_call_after_seconds": int(typed) if typed.isdigit() else typed,
        })

    return save(change, f"{department.name}'s missed calls saved.",
                to=url_for("admin.department_edit", slug=slug, _anchor="missed-calls"),
                config=True)


@bp.post("/departments/<slug>/ladder")
@login_required(role="supervisor")
def ladder_save(slug: str):
    """Store the ladder, or show the page again with the rows as typed and why it was refused."""
    department = departments.get(slug)
    overflow = [d for d in request.form.getlist("overflow") if d and d != slug]
    rows = None  # None: back to the default ladder
    if not request.form.get("use_default"):
        try:
            rows, _steps = forms.ladder(request.form, overflow)
        except DomainError as err:
            flash(explain(err), "error")
            return _page(department, ladder_rows=_typed_rows(request.form), overflow=overflow,
                         status=400)
    settings = dict(department.settings or {})
    settings["overflow"] = overflow
    if rows is None:
        settings.pop("ladder", None)
    else:
        settings["ladder"] = rows
    department.settings = settings
    db.session.commit()
    cache.changed()
    flash(f"{department.name}'s ladder saved. Callers who join the queue from now on wait on it.",
          "success")
    return redirect(url_for("admin.department_edit", slug=slug, _anchor="ladder"))


def _typed_rows(form) -> list[dict]:
    rows = []
    for index in range(forms.MAX_LADDER_ROWS):
        action = form.get(f"step-{index}-action") or ""
        if not action:
            continue
        row = {"at": form.get(f"step-{index}-at", ""), "action": action}
        for field in ladder_actions.fields():
            name = f"step-{index}-{field.name}"
            row[field.name] = (form.getlist(name) if field.kind == "departments"
                               else form.get(name, ""))
        rows.append(row)
    return rows


@bp.post("/departments/<slug>/holidays")
@login_required(role="supervisor")
def holiday_add(slug: str):
    department = departments.get(slug)
    day, name = request.form.get("day", ""), request.form.get("name", "")
    return save(lambda: departments.add_holiday(department, day, name),
                f"{department.name} is closed on {day}.",
                to=url_for("admin.department_edit", slug=slug, _anchor="holidays"), config=True)


@bp.post("/departments/<slug>/holidays/<day>/delete")
@login_required(role="supervisor")
def holiday_remove(slug: str, day: str):
    department = departments.get(slug)
    return save(lambda: departments.remove_holiday(department, day),
                f"{department.name} opens as usual on {day}.",
                to=url_for("admin.department_edit", slug=slug, _anchor="holidays"), config=True)
