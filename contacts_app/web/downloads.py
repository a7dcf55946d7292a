"""A table a page offers to download: CSV by default, Excel with `?format=xlsx` (C4,
R10, U6). The rows are the same either way; lib/csv_stream and lib/xlsx write them."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from contacts_app.lib.csv_stream import csv_download
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.xlsx import xlsx_download


def wants_xlsx(request) -> bool:
    """CSV (the default) or Excel; any other format asked for is a 400, not a CSV the
    caller did not ask for (S4)."""
    asked = request.GET.get("format", "")
    if asked not in ("", "csv", "xlsx"):
        raise InvalidInput(_("Downloads come as CSV or Excel (format=csv or format=xlsx)."), code="invalid_format")
    return asked == "xlsx"


def table_download(request, *, basename: str, header: Iterable[str], rows: Iterable[Iterable]):
    """The table as `basename.csv`, or `basename.xlsx` when asked (InvalidInput past the
    Excel download's row limit: the view's 400 page says to use the CSV)."""
    if wants_xlsx(request):
        return xlsx_download(filename=f"{basename}.xlsx", header=header, rows=rows)
    return csv_download(filename=f"{basename}.csv", header=header, rows=rows)
