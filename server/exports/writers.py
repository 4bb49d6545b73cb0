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
import tempfile
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

CHUNK = 64 * 1024
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}


def xlsx_chunks(title: str, header: list[str], rows: Iterable[list],
                widths: dict[int, int] | None = None) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for column, width in {**header_widths(header), **(widths or {})}.items():
        sheet.column_dimensions[_letter(column)].width = width
    _print_on_landscape_pages(sheet)
    bold = Font(bold=True)
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


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
    chunks = (xlsx_chunks(title, header, rows, widths) if file_format == "xlsx"
              else csv_chunks(header, rows))
    response = Response(stream_with_context(chunks), mimetype=FORMATS[file_format])
    full_name = f"{filename}.{file_format}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"export.{file_format}\"; filename*=UTF-8''{quote(full_name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def csv_value(value):
    """A cell of a CSV row: None as empty, formula-like text made inert with an apostrophe."""
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
