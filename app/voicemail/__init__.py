"""The voicemail domain. Its blueprint is registered now; its routes come with its issue."""

from flask import Blueprint

bp = Blueprint("voicemail", __name__)
