"""After the call: wrap-up notes, outcome and feedback tags, and the post-call survey."""

from flask import Blueprint

bp = Blueprint('wrapup', __name__, cli_group='wrapup')
