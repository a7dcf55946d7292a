"""CSV out: UTF-8 with a byte-order mark (so Excel reads "Inès", not "InÃ¨s"), a header
row, constant memory, and cells that a spreadsheet would run as a formula neutralised
(C4, R10) — only those: a phone number or a negative number is data."""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import Func, TextField
from django.http import StreamingHttpResponse


class IsoUtc(Func):
    """A timestamp as the one format every CSV uses: ISO 8601 in UTC with its zone,
    `2026-11-23T08:00:00Z`, rendered by the database (a datetime per cell built in
    Python only to print it again was the export's biggest cost, P3)."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char(({sql}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", params

    def as_sql(self, compiler, connection, **extra):  # SQLite stores UTC text
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {sql})", params


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number or a signed number: digits, spaces and ( ) . , / - after an optional
# sign. With no letter there is no function and no cell reference: nothing to run.
DATA = re.compile(r"[+-]?[0-9(][0-9 ().,/-]*")
BATCH = 5000
BOM = "\ufeff"


def safe_cell(value):
    """Text that a spreadsheet would run as a formula, quoted (OWASP's CSV injection
    guard); numbers, dates, phone numbers and negative numbers untouched."""
    if value.__class__ is str and value.startswith(FORMULA_STARTS) and not DATA.fullmatch(value):
        return "'" + value
    return value


def _safe_rows(rows: Iterable[Iterable]) -> Iterator[list]:
    for row in rows:
        yield [safe_cell(v) for v in row]


def csv_chunks(header: Iterable[str] | None, rows: Iterable[Iterable]) -> Iterator[bytes]:
    """Encoded CSV in blocks of BATCH rows: the header block first (none when `header`
    is None: the rows continue a file), then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        buffer.write(BOM)  # the start of a file
        writer.writerow([safe_cell(h) for h in header])
    safe = _safe_rows(rows)
    while True:
        block = list(islice(safe, BATCH))
        writer.writerows(block)
        if buffer.tell():
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if not block:
            return


def csv_download(*, filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A CSV the browser saves as `filename`, streamed in blocks (constant memory)."""
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
