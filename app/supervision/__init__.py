"""Supervisors on the floor: live calls, reassign, take back, listen, whisper, barge, audit."""

from flask import Blueprint

bp = Blueprint('supervision', __name__, cli_group='supervision')
