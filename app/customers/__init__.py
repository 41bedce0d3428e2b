"""Customers and their phone numbers (R1: a caller who phones again is recognised)."""

from flask import Blueprint, Flask

bp = Blueprint("customers", __name__, cli_group="customers")


def register(app: Flask) -> None:
    """Wire this package into `app`: its blueprint (routes, CLI)."""
    app.register_blueprint(bp)


from app.customers import api, cli  # noqa: E402,F401  (attach to bp)
