"""Reading CSV files for bulk imports: one header row, then data rows, each reported by the line
it starts on, so an error names the line a spreadsheet shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from api.errors import DomainError, InvalidInput, RowsRejected

T = TypeVar("T")
MAX_REPORTED_ERRORS = 100
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}


@dataclass(frozen=True)
class CsvRow:
    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str | None:
        """The cell's text, or None when the column is absent or the cell blank."""
        value = self.cells.get(column, "").strip()
        return value or None


@dataclass(frozen=True)
class CsvFile:
    columns: frozenset[str]
    rows: list[CsvRow]

    def batches(self, size: int) -> Iterator[list[CsvRow]]:
        for start in range(0, len(self.rows), size):
            yield self.rows[start : start + size]


def _column_name(header: str) -> str:
    return header.strip().lower().replace(" ", "_").replace("-", "_")


def read_csv(data: bytes, *, required: set[str], optional: set[str], max_rows: int) -> CsvFile:
    """Parses ``data``; refuses a file that is not UTF-8, lacks a required column, has a column
    this import does not know (a misspelt header would otherwise be ignored silently), or has
    more than ``max_rows`` data rows."""
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's byte-order mark is not a header
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"the file is not UTF-8 text (byte {error.start})", field=["file"]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty: it needs a header row", field=["file"]) from None
    except csv.Error as error:
        raise InvalidInput(f"line 1: {error}", field=["file"]) from error
    columns = [_column_name(name) for name in header]
    known = required | optional
    unknown = [name for name in columns if name not in known]
    if unknown:
        raise InvalidInput(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(sorted(known))}",
            field=["file"],
        )
    missing = sorted(required - set(columns))
    if missing:
        raise InvalidInput(f"missing column {missing[0]!r}", field=["file"])
    repeated = [name for name in set(columns) if columns.count(name) > 1]
    if repeated:
        raise InvalidInput(f"column {repeated[0]!r} appears twice", field=["file"])
    rows: list[CsvRow] = []
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == max_rows:
                    raise InvalidInput(
                        f"a file holds at most {max_rows} rows; split it", field=["file"]
                    )
                if len(cells) > len(columns):
                    raise RowsRejected(
                        [InvalidInput("more cells than the header has columns", field=_at(line))]
                    )
                rows.append(CsvRow(line, dict(zip(columns, cells, strict=False))))
            line = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInput(f"line {line}: {error}", field=["file"]) from error
    return CsvFile(frozenset(columns), rows)


def _at(line: int, column: str | None = None) -> list[str]:
    return ["file", str(line)] + ([column] if column else [])


@dataclass
class RowErrors:
    """Collects what is wrong with a batch's rows, so one answer lists them all."""

    errors: list[DomainError] = field(default_factory=list)

    def add(self, row: CsvRow, column: str | None, message: str) -> None:
        self.errors.append(InvalidInput(message, field=_at(row.line, column)))

    def add_error(self, row: CsvRow, column: str | None, error: DomainError) -> None:
        error.field = _at(row.line, column)
        self.errors.append(error)

    def check(self, row: CsvRow, column: str, parse: Callable[[str], T]) -> T | None:
        """``parse`` applied to the cell; None when the cell is blank or the parse fails (the
        failure is recorded)."""
        value = row.get(column)
        if value is None:
            return None
        try:
            return parse(value)
        except DomainError as error:
            self.add_error(row, column, error)
        except ValueError as error:
            self.add(row, column, f"{column} {value!r}: {error}")
        return None

    def raise_if_any(self) -> None:
        if self.errors:
            in_file_order = sorted(self.errors, key=lambda error: int((error.field or "00")[1]))
            raise RowsRejected(in_file_order[:MAX_REPORTED_ERRORS], total=len(self.errors))


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def yes_or_no(value: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("write true or false")
