"""The offline test phone page: dial in through the emulator from a browser tab."""

from flask import Blueprint

bp = Blueprint('testphone', __name__, url_prefix='/test-phone')
