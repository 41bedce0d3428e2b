"""Supervisors on the floor: live calls, reassign, take back, listen, whisper, barge, audit.

Registering the blueprint brings the JSON API under /api/supervisor, the webhook of the
supervisors' monitoring legs, and `flask supervision audit`.
"""

from flask import Blueprint

bp = Blueprint('supervision', __name__, cli_group='supervision')

from app.supervision import cli, routes  # noqa: E402,F401  (attach to bp)
