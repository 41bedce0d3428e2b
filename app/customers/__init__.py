"""Customers and their phone numbers (R1: a caller who phones again is recognised)."""

from flask import Blueprint

bp = Blueprint("customers", __name__, cli_group="customers")

from app.customers import api, cli  # noqa: E402,F401  (attach to bp)
