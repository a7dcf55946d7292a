"""Streaming CSV: UTF-8, a header row, constant memory, and cells that a
spreadsheet would run as a formula neutralised (C4, R10)."""
import csv
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    yield writer.writerow([safe_cell(h) for h in header]).encode()
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row]).encode()
