"""Structured logs, Prometheus metrics at /metrics, and the RQ dashboard."""

from flask import Blueprint

bp = Blueprint('observability', __name__)
