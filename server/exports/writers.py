"""Streaming writers: rows in, bytes out, in constant memory whatever the number of rows.

XLSX: openpyxl's write-only mode keeps one row in memory and spools the sheet to a temporary
file; the finished file is then streamed in chunks. The sheet is laid out to print (wrapped
text, widths from the first rows, row heights, a frame, an autofilter: print_layout.py), which
reads a bounded number of rows ahead and keeps nothing per row. CSV: UTF-8 with a BOM, so Excel
opens the Chinese correctly, yielded as it is written.

Text from the field is data, never a formula: in XLSX a text starting with "=" is written as a
text cell (openpyxl would otherwise store it as a formula); in CSV, which has no cell types, a
text starting with = + - @ or a tab or carriage return gets a leading apostrophe (OWASP's advice
against CSV injection), so a spreadsheet shows it instead of evaluating it."""
import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from itertools import chain, islice
from urllib.parse import quote

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.worksheet import Worksheet

from server.exports import print_layout

CHUNK = 64 * 1024
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8"}
TITLE_STYLE = {"font": Font(bold=True, size=print_layout.TITLE_SIZE),
               "alignment": Alignment(wrap_text=True, horizontal="center", vertical="center")}
HEADER_STYLE = {"font": Font(bold=True),
                "alignment": Alignment(wrap_text=True, horizontal="center", vertical="center")}
# A row of several lines: its texts wrap, and every cell starts at the top. A row of one line
# needs no style (plain values are written at twice the speed of styled cells).
WRAPPED_STYLE = {"alignment": Alignment(wrap_text=True, vertical="top")}


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
    """The sheets, each read as it is written (a later sheet may be made from what an earlier
    one read), then the file in chunks."""
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
    """The sheet as it prints (print_layout.py): columns sized from the first rows (`widths`,
    1-based, where the caller knows better), texts wrapped in rows as tall as they need, the
    grid printed and an autofilter on the header."""
    header, title = spec.header, spec.title
    rows = (_unmerged(row) for row in spec.rows)
    sample = list(islice(rows, print_layout.SAMPLE_ROWS))  # bounded: constant memory
    column_widths = print_layout.column_widths(header, [values for values, _ in sample],
                                               spec.widths)
    for column, width in enumerate(column_widths, 1):
        sheet.column_dimensions[_letter(column)].width = round(width, 1)
    _print_on_landscape_pages(sheet)
    _append(sheet, 1, [_cell_maker(sheet, TITLE_STYLE)(title)],
            print_layout.title_height(title, sum(column_widths)))
    # across the table: centred over it, and wrapped rather than cut at the page's edge
    sheet.merged_cells.add(f"A1:{_letter(len(header))}1")
    heading, wrapped = _cell_maker(sheet, HEADER_STYLE), _cell_maker(sheet, WRAPPED_STYLE)
    plain = _plain(sheet)
    _append(sheet, 2, [heading(name) for name in header],
            print_layout.row_height(header, column_widths, bold=True))
    row_number = 2
    for values, spans in chain(sample, rows):
        row_number += 1
        values = [_xlsx_value(value) for value in values]
        for column, span in spans:
            sheet.merged_cells.add(CellRange(min_col=column, max_col=column,
                                             min_row=row_number, max_row=row_number + span - 1))
        height = print_layout.row_height(values, column_widths)
        make = plain if height is None else wrapped
        _append(sheet, row_number, [None if v is None else make(v) for v in values], height)
    sheet.auto_filter.ref = f"A2:{_letter(len(header))}{row_number}"


def _unmerged(row: list) -> tuple[list, list[tuple[int, int]]]:
    """A row's values, and the (1-based column, rows) of the cells that span rows below."""
    values, spans = [], []
    for column, value in enumerate(row, 1):
        if isinstance(value, MergeDown):
            if value.rows > 1:
                spans.append((column, value.rows))
            value = value.value
        values.append(value)
    return values, spans


def _sheet_name(name: str, used: set) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


class _FittedRow(RowDimension):
    """A row height without customHeight: the height the text needs, which a spreadsheet may
    fit again when the text is edited (openpyxl marks every height it writes as custom)."""

    __fields__ = tuple(f for f in RowDimension.__fields__ if f != "customHeight")


def _append(sheet, row_number: int, cells: list, height: float | None) -> None:
    """Appends a row with its height. The height is dropped once written: write-only mode
    keeps nothing else per row, and neither may this."""
    if height is None:
        sheet.append(cells)
        return
    sheet.row_dimensions[row_number] = _FittedRow(sheet, index=row_number, ht=height)
    sheet.append(cells)
    del sheet.row_dimensions[row_number]


def _cell_maker(sheet, style: dict):
    """Makes cells of one style. The style is registered with the workbook once, on a model
    cell, and its indices copied to each cell: setting it cell by cell looks it up again every
    time, which would triple the time a county's file takes."""
    model = WriteOnlyCell(sheet)
    for name, setting in style.items():
        setattr(model, name, setting)

    def cell(value) -> WriteOnlyCell:
        made = _text_cell(sheet, value)
        style = copy(model._style)
        if made.has_style:  # a date's number format, set with its value
            style.numFmtId = made._style.numFmtId
        made._style = style
        return made
    return cell


def _plain(sheet):
    """A row's value as it is, but a text starting with "=" as a text cell."""
    def plain(value):
        return _text_cell(sheet, value) if isinstance(value, str) and value[:1] == "=" else value
    return plain


def _text_cell(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value[:1] == "=":
        cell.data_type = "s"  # text, even though it starts with "=" (openpyxl: a formula)
    return cell


def _print_on_landscape_pages(sheet) -> None:
    """Printed as the report appendix is: landscape, all columns on the page's width, the
    header repeated on every page; on screen the title and header stay in view."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "2:2"
    sheet.print_options.gridLines = True
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


def _xlsx_value(value):
    if not isinstance(value, str):
        return value
    # XML 1.0 cannot hold most control characters; openpyxl would raise mid-stream, after the
    # 200 went out, leaving a truncated file. A stray one from the field is dropped instead.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
