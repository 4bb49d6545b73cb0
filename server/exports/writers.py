"""Streaming writers: rows in, bytes out, in constant memory whatever the number of rows.

XLSX: openpyxl's write-only mode keeps one row in memory and spools the sheet to a temporary
file; the finished file is then streamed in chunks. CSV: UTF-8 with a BOM, so Excel opens the
Chinese correctly, yielded as it is written.

Text from the field is data, never a formula: in XLSX a text starting with "=" is written as a
text cell (openpyxl would otherwise store it as a formula); in CSV, which has no cell types, a
text starting with = + - @ or a tab or carriage return gets a leading apostrophe (OWASP's advice
against CSV injection), so a spreadsheet shows it instead of evaluating it."""
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

CHUNK = 64 * 1024
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


@dataclass
class Sheet:
    """One sheet of a workbook: a title row, a header row, then the rows (any iterable, read
    once). A value may be a MergeDown: that cell spans the rows below it in its column."""

    name: str
    title: str
    header: list[str]
    rows: Iterable[list]
    widths: dict[int, int] | None = None


@dataclass(frozen=True)
class MergeDown:
    """A cell that spans `rows` rows downwards (the manual's lists: an indicator over its
    numbered items). The rows it covers leave that column None."""

    value: object
    rows: int


def xlsx_chunks(title: str, header: list[str], rows: Iterable[list],
                widths: dict[int, int] | None = None) -> Iterator[bytes]:
    return workbook_chunks([Sheet(title, title, header, rows, widths)])


def workbook_chunks(sheets: Iterable[Sheet]) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    used = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_sheet_name(sheet.name, used)), sheet)
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def _write_sheet(sheet, spec: Sheet) -> None:
    for column, width in {**header_widths(spec.header), **(spec.widths or {})}.items():
        sheet.column_dimensions[_letter(column)].width = width
    _print_on_landscape_pages(sheet)
    bold = Font(bold=True)
    title_cell = WriteOnlyCell(sheet, value=spec.title)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    header_cells = []
    for name in spec.header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row_number, row in enumerate(spec.rows, 3):
        values = []
        for column, value in enumerate(row, 1):
            if isinstance(value, MergeDown):
                if value.rows > 1:
                    sheet.merged_cells.add(CellRange(
                        min_col=column, max_col=column, min_row=row_number,
                        max_row=row_number + value.rows - 1))
                value = value.value
            values.append(_xlsx_value(sheet, value))
        sheet.append(values)


def _sheet_name(name: str, used: set) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def header_widths(header: list[str]) -> dict[int, int]:
    """A column as wide as its header (a Chinese character takes about two units), at least 8."""
    return {column: max(8, 2 * len(name) + 2) for column, name in enumerate(header, 1)}


def _print_on_landscape_pages(sheet) -> None:
    """Printed as the report appendix is: landscape, all columns on the page's width, the
    header repeated on every page; on screen the title and header stay in view."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "2:2"
    sheet.freeze_panes = "A3"


def csv_chunks(header: list[str], rows: Iterable[list], rows_per_chunk: int = 500
               ) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        writer.writerow([csv_value(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def streamed_download(filename: str, file_format: str, title: str, header: list[str],
                      rows: Iterable[list], widths: dict[int, int] | None = None) -> Response:
    return workbook_download(filename, file_format, [Sheet(title, title, header, rows, widths)])


def workbook_download(filename: str, file_format: str, sheets: Iterable[Sheet],
                      csv_table: tuple[list[str], Iterable[list]] | None = None) -> Response:
    """The sheets as XLSX, or as CSV the one table `csv_table` (header, rows) or else the first
    sheet (CSV has no sheets)."""
    if file_format == "xlsx":
        chunks = workbook_chunks(sheets)
    else:
        first = next(iter(sheets))
        header, rows = csv_table or (first.header, first.rows)
        chunks = csv_chunks(header, rows)
    response = Response(stream_with_context(chunks), mimetype=FORMATS[file_format])
    full_name = f"{filename}.{file_format}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"export.{file_format}\"; filename*=UTF-8''{quote(full_name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_value(value):
    """A cell of a CSV row: None as empty, formula-like text made inert with an apostrophe."""
    if isinstance(value, MergeDown):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _xlsx_value(sheet, value):
    if not isinstance(value, str):
        return value
    # XML 1.0 cannot hold most control characters; openpyxl would raise mid-stream, after the
    # 200 went out, leaving a truncated file. A stray one from the field is dropped instead.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return _text_cell(sheet, value) if value[:1] == "=" else value


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, even though it starts with "="
    return cell


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
