"""The interactive voice response: the first thing every caller hears."""

from flask import Blueprint

bp = Blueprint("ivr", __name__, url_prefix="/ivr")

from app.ivr import routes  # noqa: E402,F401  (routes attach themselves to bp)
