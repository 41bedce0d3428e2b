"""The browser: sign-in, sessions and CSRF, the base layout and the agent console."""

from flask import Blueprint

bp = Blueprint('web', __name__)
