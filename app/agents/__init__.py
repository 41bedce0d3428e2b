"""Agents and supervisors: accounts, sign-in, presence, softphone tokens."""

from flask import Blueprint, Flask

bp = Blueprint("agents", __name__, cli_group="agents")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI) and its hooks."""
    from app.agents.services import token_principal
    from app.auth import principal_sources

    app.register_blueprint(bp)

    principal_sources(app).token = token_principal


from app.agents import api, cli  # noqa: E402,F401  (attach to bp)
