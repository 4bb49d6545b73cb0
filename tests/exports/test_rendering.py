"""The print check can fail: a text cut in print is reported, by its cell."""
import io

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment

pytestmark = pytest.mark.slow  # LibreOffice renders each sheet (about a second)

LONG = "北关新村3#楼2单元东侧外墙装饰面砖大面积空鼓脱落，距地面约十二米，下方为小区主通道，存在坠落伤人隐患"


def xlsx(fill) -> bytes:
    workbook = Workbook()
    fill(workbook.active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_long_text_cut_by_its_filled_neighbour_is_reported(render_xlsx):
    def fill(sheet):
        sheet.column_dimensions["A"].width = 12
        sheet.append(["问题描述", "问题程度"])
        sheet.append([LONG, "严重"])  # does not wrap, and B2 stops its overflow
        sheet.append(["门窗破损", "一般"])
    rendered = render_xlsx(xlsx(fill))
    assert [cell.split()[0] for cell in rendered.missing_cells] == ["Sheet!A2"]


def test_a_wrapped_text_in_a_row_too_low_is_reported(render_xlsx):
    """LibreOffice keeps a row without a stored height at the default height, whatever it
    wraps: the lines below are cut."""
    def fill(sheet):
        sheet.column_dimensions["A"].width = 12
        sheet.append([LONG, "严重"])
        sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    rendered = render_xlsx(xlsx(fill))
    assert [cell.split()[0] for cell in rendered.missing_cells] == ["Sheet!A1"]


def test_a_number_too_wide_for_its_column_is_reported(render_xlsx):
    def fill(sheet):
        sheet.column_dimensions["A"].width = 4
        sheet.append([1234567.25, "x"])
    rendered = render_xlsx(xlsx(fill))
    assert rendered.missing_cells and rendered.missing_cells[0].startswith("Sheet!A1")


def test_a_sheet_that_fits_reports_nothing(render_xlsx):
    def fill(sheet):
        sheet.column_dimensions["A"].width = 60
        sheet.append([LONG, "严重", 3, 12.5])  # wrapped onto two lines, the row tall enough
        sheet["A1"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[1].height = 40
        sheet.append(["门窗破损", "一般", 3, None])  # the same 3 twice, found twice
    rendered = render_xlsx(xlsx(fill))
    assert rendered.missing_cells == []
    assert rendered.pages == 1 and not rendered.landscape  # openpyxl's default: portrait
    assert rendered.png_paths and rendered.png_paths[0].stat().st_size > 1000
