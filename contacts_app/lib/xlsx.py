"""Excel (.xlsx) out, beside every CSV (C4, R10, U6): typed cells — numbers as numbers,
timestamps as dates (UTC; Excel has no time zones), text as text, never a formula, so
nothing needs neutralising — written by XlsxWriter in constant memory (each row is
flushed as it is written). A workbook is built whole before it is sent, so a web
download holds at most `XLSX_MAX_ROWS` rows (an export job builds it in the worker);
beyond that the answer is a 400 saying to use the CSV."""

import csv
import re
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.i18n import num

_ISO_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
EXCEL_ROWS = 1_048_576  # a worksheet's rows, the header included


def xlsx_max_rows() -> int:
    return min(settings.XLSX_MAX_ROWS, EXCEL_ROWS - 1)


def too_many_rows() -> InvalidInput:
    return InvalidInput(
        _("That is more than %(max)s rows for an Excel file: download the CSV instead.")
        % {"max": num(xlsx_max_rows())},
        code="too_many_rows",
    )


def column_width(name: str) -> int:
    """A column wide enough for what it holds (Excel opens every column 8.43 wide:
    "####" for dates, addresses cut)."""
    name = name.lower()
    if "email" in name:
        return 34
    if any(word in name for word in ("reason", "diagnostic", "what", "why")):
        return 48
    if name.endswith(("_at", "_on", "date", "when")):
        return 20
    return max(12, len(name) + 2)


def xlsx_write(
    path: Path | BinaryIO, *, header: Iterable[str], rows: Iterable[Iterable], numbers: Iterable[int] = ()
) -> int:
    """Write a one-sheet workbook at `path`; returns the rows written. `numbers`: the
    columns whose text is an integer to write as a number (from a CSV file, where every
    cell is text). InvalidInput past `xlsx_max_rows()` (the file is then incomplete:
    the caller drops it)."""
    numeric = set(numbers)
    limit = xlsx_max_rows()
    book = xlsxwriter.Workbook(
        str(path) if isinstance(path, Path) else path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    try:
        sheet = book.add_worksheet()
        bold = book.add_format({"bold": True})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        header = list(header)
        for col, name in enumerate(header):  # before any row: constant memory writes rows as they come
            sheet.set_column(col, col, column_width(name))
        sheet.write_row(0, 0, header, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            if count > limit:
                raise too_many_rows()
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(count, col, value)
                elif isinstance(value, int | float):
                    sheet.write_number(count, col, value)
                elif isinstance(value, datetime):
                    sheet.write_datetime(count, col, value.replace(tzinfo=None), when)
                elif isinstance(value, date):
                    sheet.write_datetime(count, col, datetime(value.year, value.month, value.day), day)
                elif not isinstance(value, str):  # a translated word (lazy), a Decimal, an enum: as text
                    sheet.write_string(count, col, str(value))
                elif col in numeric and value.isascii() and value.lstrip("-").isdigit():
                    sheet.write_number(count, col, int(value))
                elif _ISO_UTC.fullmatch(value):
                    sheet.write_datetime(count, col, datetime.fromisoformat(value[:-1]), when)
                else:
                    sheet.write_string(count, col, str(value))
        if header:
            sheet.autofilter(0, 0, count, len(header) - 1)  # Excel's filter arrows on the header
        return count
    finally:
        book.close()


def xlsx_from_csv(csv_path: Path, xlsx_path: Path, *, numbers: Iterable[int] = ()) -> int:
    """The workbook of a CSV file this product wrote (UTF-8 with its byte-order mark)."""
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        # The CSV's formula guard is undone: a workbook's text cell is never a formula.
        rows = ([v[1:] if v.startswith("'") and len(v) > 1 and v[1] in "=+-@\t\r" else v for v in r] for r in reader)
        return xlsx_write(xlsx_path, header=header, rows=rows, numbers=numbers)


def xlsx_download(*, filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> FileResponse:
    """An .xlsx the browser saves as `filename`; built in a temporary file first."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when the response closes it
    try:
        xlsx_write(handle, header=header, rows=rows)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
