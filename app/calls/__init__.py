"""Call controls on a live call: agent hold, warm and cold transfer, hang-up."""

from flask import Blueprint

bp = Blueprint('calls', __name__, url_prefix='/api/calls')
