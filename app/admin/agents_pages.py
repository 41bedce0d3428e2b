"""Agents: create, departments, languages and role, deactivate, reset a password."""

from __future__ import annotations

from flask import g, render_template, request, url_for

from app.admin import agents_admin, bp
from app.admin.pages import save
from app.agents import services as agents
from app.auth import login_required
from app.errors import InvalidInput
from app.floor import departments
from app.floor.languages import LANGUAGES
from app.queue import queue_services
from config import app_settings


def _choices() -> dict[str, object]:
    """What the agent forms choose from: departments, and languages (code -> Language)."""
    return {"departments": departments.all_departments(), "languages": LANGUAGES,
            "default_language": app_settings().DEFAULT_LANGUAGE}


@bp.get("/agents")
@login_required(role="supervisor")
def agent_list():
    store = queue_services().store
    accounts = agents_admin.all_accounts()
    presence = {a.identity: store.agent(a.identity).get("state", "offline") for a in accounts}
    return render_template("admin/agents.html", accounts=accounts, presence=presence,
                           **_choices())


@bp.post("/agents")
@login_required(role="supervisor")
def agent_create():
    form = request.form
    identity = form.get("identity", "").strip()

    def change() -> None:
        if form.get("password", "") != form.get("confirm", ""):
            raise InvalidInput("The two passwords differ.", field="confirm")
        agents.create_agent(form.get("name", ""), identity, role=form.get("role", "agent"),
                            departments=form.getlist("departments"),
                            password=form.get("password") or None,
                            # none ticked: the floor's default language
                            languages=form.getlist("languages") or None)

    return save(change, f"{identity} can sign in now.", to=url_for("admin.agent_list"))


@bp.get("/agents/<identity>")
@login_required(role="supervisor")
def agent_edit(identity: str):
    account = agents.find_agent(identity)
    state = queue_services().store.agent(identity).get("state", "offline")
    return render_template("admin/agent.html", account=account, state=state, **_choices())


@bp.post("/agents/<identity>")
@login_required(role="supervisor")
def agent_save(identity: str):
    account = agents.find_agent(identity)
    form = request.form
    return save(lambda: agents_admin.update(account, name=form.get("name", ""),
                                            role=form.get("role", "agent"),
                                            departments=form.getlist("departments"),
                                            languages=form.getlist("languages"),
                                            store=queue_services().store),
                f"{account.identity} saved.", to=url_for("admin.agent_edit", identity=identity))


@bp.post("/agents/<identity>/deactivate")
@login_required(role="supervisor")
def agent_deactivate(identity: str):
    account = agents.find_agent(identity)
    return save(lambda: agents_admin.deactivate(account, by=g.principal.identity,
                                                store=queue_services().store),
                f"{account.name} is deactivated and signed out everywhere.",
                to=url_for("admin.agent_edit", identity=identity))


@bp.post("/agents/<identity>/reactivate")
@login_required(role="supervisor")
def agent_reactivate(identity: str):
    account = agents.find_agent(identity)
    return save(lambda: agents_admin.reactivate(account), f"{account.name} may sign in again.",
                to=url_for("admin.agent_edit", identity=identity))


@bp.post("/agents/<identity>/password")
@login_required(role="supervisor")
def agent_password(identity: str):
    account = agents.find_agent(identity)
    form = request.form
    return save(lambda: agents_admin.reset_password(account, form.get("password", ""),
                                                    form.get("confirm", "")),
                f"{account.name}'s password is reset; their API tokens are revoked.",
                to=url_for("admin.agent_edit", identity=identity))
