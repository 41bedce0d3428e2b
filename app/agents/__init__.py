"""Agents and supervisors: accounts, sign-in, presence, softphone tokens."""

from flask import Blueprint

bp = Blueprint("agents", __name__, cli_group="agents")


def _register_token_source(state) -> None:
    from app.agents.services import token_principal
    from app.auth import principal_sources

    principal_sources(state.app).token = token_principal


bp.record_once(_register_token_source)

from app.agents import api, cli  # noqa: E402,F401  (attach to bp)
