"""Customers and their phone numbers (R1: a caller who phones again is recognised)."""

from flask import Blueprint

bp = Blueprint("customers", __name__)
