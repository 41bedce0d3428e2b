"""Agents and supervisors: accounts, sign-in, presence, softphone tokens."""

from flask import Blueprint

bp = Blueprint("agents", __name__, cli_group="agents")

from app.agents import cli, routes  # noqa: E402,F401  (attach to bp)
