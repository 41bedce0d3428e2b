"""The queue domain. Its blueprint is registered now; its routes come with its issue."""

from flask import Blueprint

bp = Blueprint("queue", __name__)
