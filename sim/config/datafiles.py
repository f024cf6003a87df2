"""Reading users' CSV data files (observed counts, today's backlog) with one-line errors.

Every problem in a data file is reported as one :class:`DataError` line naming the file,
the row (counted as a spreadsheet does: the header is row 1) and the column, and what is
allowed — never a traceback, never a silently skipped row. The readers of each format
(:mod:`sim.model.backlog`, :mod:`sim.calibrate`) check the meaning; this module checks the
shape and parses the cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from sim.core.settings import ConfigError, no_such_file


class DataError(ConfigError):
    """A data file's content is not what its format allows (one line)."""


@dataclass(frozen=True)
class Row:
    """One data row: its spreadsheet row number and its cells by column name."""

    file: Path
    number: int
    cells: dict[str, str]

    def fail(self, column: str, problem: str) -> NoReturn:
        """Raise the one-line error for ``column`` of this row."""
        raise DataError(f"{self.file}, row {self.number}, column {column}: {problem}")

    def has(self, column: str) -> bool:
        """The row has a non-empty cell in ``column``."""
        return bool(self.cells.get(column, "").strip())

    def text(self, column: str) -> str:
        """The stripped cell; an empty required cell is an error."""
        value = self.cells.get(column, "").strip()
        if not value:
            self.fail(column, "empty")
        return value

    def count(self, column: str) -> int:
        """A whole number ≥ 0."""
        value = self.text(column)
        try:
            number = float(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a number")
        if not math.isfinite(number) or number < 0 or number != int(number):
            self.fail(column, f"{value!r} must be a whole number ≥ 0")
        return int(number)

    def date(self, column: str) -> dt.date:
        """An ISO date YYYY-MM-DD."""
        value = self.text(column)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(column, f"{value!r} is not a date YYYY-MM-DD")


def read_rows(path: str | Path, required: Sequence[str]) -> list[Row]:
    """The data rows of a CSV file with a header holding every ``required`` column."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(no_such_file(file)) from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{file}: cannot be read as UTF-8 text ({err})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(
            f"{file}, row 1: missing column {', '.join(missing)} "
            f"(needs {', '.join(required)}; has {', '.join(header) or 'no header'})"
        )
    rows = []
    for n, cells in enumerate(reader, start=2):
        if None in cells:  # more cells than header columns
            raise DataError(f"{file}, row {n}: more cells than the header's {len(header)} columns")
        if not any((v or "").strip() for v in cells.values()):
            continue  # a blank line
        rows.append(Row(file, n, {k: v or "" for k, v in cells.items()}))
    if not rows:
        raise DataError(f"{file}: no data rows")
    return rows
