"""Reading a customers CSV file into numbered rows, refusing a malformed file as a whole."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.errors import InvalidInput

REQUIRED_COLUMNS = ("name", "phone", "account_number", "language")
OPTIONAL_COLUMNS = ("tier", "notes")
# Spellings people use in spreadsheets, mapped to ours.
ALIASES = {
    "phones": "phone",
    "phone_number": "phone",
    "phone_numbers": "phone",
    "account": "account_number",
    "account_no": "account_number",
    "lang": "language",
}


class MalformedFile(InvalidInput):
    """The file as a whole cannot be read: nothing from it is imported."""

    error_id = "malformed_csv"


@dataclass(frozen=True)
class SourceRow:
    """One record of the file: the line it starts on, its cells, or why it cannot be read."""

    line: int
    fields: Mapping[str, str | None]
    problem: str | None = None


def column_name(raw: str) -> str:
    name = "_".join(raw.strip().lower().replace("-", " ").split())
    return ALIASES.get(name, name)


def read_rows(stream: TextIO) -> Iterator[SourceRow]:
    """Rows of a CSV stream with a header line; raises MalformedFile for an unreadable file."""
    reader = csv.reader(stream, strict=True)
    try:
        header = _header(reader)
        previous_end = reader.line_num
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines, or a row of empty cells left by a spreadsheet
            if len(record) != len(header):
                yield SourceRow(
                    start, {}, f"has {len(record)} fields, the header has {len(header)}"
                )
                continue
            yield SourceRow(start, dict(zip(header, record, strict=True)))
    except csv.Error as err:
        raise MalformedFile(
            f"The file is not valid CSV at line {reader.line_num}: {err}.", line=reader.line_num
        ) from err
    except UnicodeDecodeError as err:
        raise MalformedFile(
            "The file is not UTF-8 text (save it from your spreadsheet as 'CSV UTF-8').",
            line=reader.line_num + 1,
        ) from err


def _header(reader: Iterator[list[str]]) -> list[str]:
    header = next(reader, None)
    if not header:
        raise MalformedFile("The file is empty: it needs a header line naming its columns.")
    columns = [column_name(cell) for cell in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise MalformedFile(
            f"The header names a column twice: {', '.join(duplicated)}.", columns=duplicated
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise MalformedFile(
            f"The header lacks the column(s) {', '.join(missing)}; it needs "
            f"{','.join(REQUIRED_COLUMNS)} (optional: {','.join(OPTIONAL_COLUMNS)}).",
            missing=missing,
            found=columns,
        )
    return columns


def ignored_columns(path: Path) -> list[str]:
    """Columns the file has that the import does not use (worth telling the user)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        header = next(csv.reader(stream), [])
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    return [c for c in (column_name(h) for h in header) if c and c not in known]


def check_file(path: Path) -> int:
    """Read the whole file once without importing: its row count, or MalformedFile."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return sum(1 for _ in read_rows(stream))


def file_rows(path: Path) -> Iterator[SourceRow]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield from read_rows(stream)
