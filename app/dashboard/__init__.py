"""The supervisor dashboard in the browser, updated live."""

from flask import Blueprint

bp = Blueprint('dashboard', __name__, url_prefix='/supervisor')
