"""CSV downloads that are safe to open in a spreadsheet (shared by every area that exports)."""

from flask import make_response

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """The cell as text, with a quote prefixed to text a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(text: str, filename: str):
    """A UTF-8 CSV download (with a BOM so that spreadsheet programs read accents correctly)."""
    response = make_response("\ufeff" + text)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
