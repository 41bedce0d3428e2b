"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest id a database row can have: SQLite's INTEGER and PostgreSQL's BIGINT are 64-bit
# signed. A larger number in a path can name no row, and passed to the database it raises
# OverflowError (a 500), so such a path is simply not a route (404).
MAX_ROW_ID = 2**63 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` for every route: a non-negative integer that fits a row id."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ROW_ID if max is None else max, signed)


def register_converters(app: Flask) -> None:
    """Before any blueprint is registered: rules bind their converters as they are added."""
    app.url_map.converters["int"] = RowIdConverter
