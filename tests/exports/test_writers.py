"""The XLSX writer lays a sheet out for print: widths from the content, texts wrapped in rows
as tall as they need, the grid, an autofilter; streamed in constant memory. The rendered ones
print through LibreOffice with no text cut."""
import io
import re
import tracemalloc
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from server.exports import print_layout
from server.exports.writers import xlsx_chunks

SENTENCE = ("南关新村7#楼2单元北侧外墙装饰面砖大面积空鼓脱落，距地面约十二米，下方为小区主通道和非机动车"
            "停放处，存在坠落伤人隐患；已拉设警戒线，建议物业公司在雨季前完成排查和修复，并告知住户绕行。")
HEADER = ["序号", "小区", "楼栋编码", "问题描述", "整改建议", "整改完成时限", "上报时间", "照片数"]


def xlsx(header, rows, widths=None) -> bytes:
    return b"".join(xlsx_chunks("夏县2024年城市体检问题台账", header, rows, widths))


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def sheet_xml(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()


def finding(serial: int, description: str = SENTENCE) -> list:
    return [serial, "南关新村", "140828100200303380000X", description, "修补破损踏步",
            date(2024, 10, 31), datetime(2024, 7, 1, 9, 30), 3]


def test_columns_are_as_wide_as_their_texts_up_to_a_cap_and_wrap_beyond():
    sheet = sheet_of(xlsx(HEADER, [finding(1), finding(2, "墙皮脱落")]))
    width = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[2]}
    assert width["序号"] == print_layout.NUMBER_WIDTH
    assert width["小区"] == pytest.approx(4 * print_layout.WIDE_CHAR + print_layout.PADDING, abs=0.1)
    assert width["楼栋编码"] >= 22  # a code of 22 characters on one line
    assert width["问题描述"] == print_layout.MAX_WIDTH  # 90 characters: wrapped
    assert width["整改完成时限"] >= 10  # a date
    assert sheet["A2"].font.bold and sheet["A2"].alignment.wrap_text


def test_a_row_of_several_lines_wraps_and_starts_at_the_top_and_one_line_rows_stay_plain():
    """Plain values are written at twice the speed of styled cells: only the rows that need it
    get a style. The grid is printed for all."""
    sheet = sheet_of(xlsx(HEADER, [finding(1), finding(2, "墙皮脱落")]))
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for c in sheet[3])
    assert sheet["F3"].number_format == "yyyy-mm-dd"  # a date keeps its format when styled
    assert not any(c.alignment.wrap_text or c.alignment.vertical for c in sheet[4])
    assert sheet.print_options.gridLines


def test_the_callers_widths_are_kept():
    sheet = sheet_of(xlsx(HEADER, [finding(1)], widths={4: 60, 5: 24}))
    assert sheet.column_dimensions["D"].width == 60 and sheet.column_dimensions["E"].width == 24


def test_wide_sheets_narrow_their_sentences_to_print_legibly():
    """Twenty sentence columns would print at a fifth of their size: they are narrowed (and
    wrap more) until the page holds them at half size; codes and numbers keep their width."""
    header = ["序号", "楼栋编码"] + [f"说明{n}" for n in range(20)]
    sheet = sheet_of(xlsx(header, [[1, "140828100200303380000X"] + [SENTENCE] * 20]))
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[2]]
    assert widths[1] >= 22
    assert set(widths[2:]) == {print_layout.NARROWEST}


def test_print_setup_autofilter_and_frozen_header():
    data = xlsx(HEADER, (finding(n) for n in range(1, 6)))
    sheet = sheet_of(data)
    assert sheet.auto_filter.ref == "A2:H7"
    assert sheet.print_title_rows == "$2:$2" and sheet.freeze_panes == "A3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet["A1"].value == "夏县2024年城市体检问题台账" and sheet["A1"].font.size == 14
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:H1"]  # the title over the table


def test_rows_are_as_tall_as_their_wrapped_text_without_a_custom_height():
    """LibreOffice does not fit a row's height to wrapped text (Excel does): the height is
    written, but not as custom, so a spreadsheet may fit it again when the text changes."""
    rows = re.findall(r"<row [^>]*>", sheet_xml(xlsx(HEADER, [finding(1), finding(2, "墙皮脱落")])))
    heights = [re.search(r'ht="([\d.]+)"', row) for row in rows]
    assert all("customHeight" not in row for row in rows)
    long_row, short_row = heights[2], heights[3]
    assert float(long_row.group(1)) >= 3 * print_layout.LINE_HEIGHT  # 90 characters, 40 wide
    assert short_row is None  # one line: the default height


def test_a_long_text_after_the_measured_rows_still_gets_its_height(monkeypatch):
    monkeypatch.setattr(print_layout, "SAMPLE_ROWS", 3)
    rows = [finding(n, "墙皮脱落") for n in range(1, 6)] + [finding(6, SENTENCE * 3)]
    xml = sheet_xml(xlsx(HEADER, rows))
    last = re.search(r'<row r="8"[^>]*>', xml).group(0)
    assert float(re.search(r'ht="([\d.]+)"', last).group(1)) >= 7 * print_layout.LINE_HEIGHT


def test_line_count_breaks_words_and_lines_as_a_spreadsheet_does():
    assert print_layout.line_count("墙皮脱落", 10) == 1
    assert print_layout.line_count("一二三四五六七八九十", 10) == 3  # four to a line of 10
    assert print_layout.line_count("第一行\n第二行", 40) == 2
    assert print_layout.line_count("word " * 20, 20) == 7  # three to a line, kept whole
    assert print_layout.line_count("x" * 60, 20) == 4  # one long word, broken


def test_memory_stays_constant_whatever_the_number_of_rows(monkeypatch):
    """Only the first SAMPLE_ROWS rows are held (here 20): the peak for 1,600 rows is that of
    400 rows. (Holding the 1,200 more would take some 300 kB.)"""
    monkeypatch.setattr(print_layout, "SAMPLE_ROWS", 20)

    def peak(count):
        tracemalloc.start()
        for _ in xlsx_chunks("台账", HEADER, (finding(n) for n in range(count))):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top
    peak(400)  # openpyxl's first-use allocations
    small, large = peak(400), peak(1600)
    assert large < small + 150_000, (small, large)


@pytest.mark.slow
def test_long_texts_print_whole(render_xlsx, monkeypatch):
    """Sentences, a 90-character word, several paragraphs, numbers, dates, empty cells and,
    after the measured rows, a text longer than any of them: every cell's text shows in full.
    (Only a text so much longer that its row outgrows a page would be cut.)"""
    monkeypatch.setattr(print_layout, "SAMPLE_ROWS", 10)
    rows = [finding(n, "墙皮脱落。" * 4) for n in range(1, 12)]
    rows += [finding(12, SENTENCE * 2), finding(13, "https://example.org/" + "a1b2c3" * 12),
             finding(14, "第一段：外墙渗水。\n第二段：屋面防水层老化。\n第三段：已告知物业。"),
             [15, None, None, "=1+1 不是公式", None, None, None, 123456789]]
    rendered = render_xlsx(xlsx(HEADER, rows))
    assert rendered.missing_cells == []
    assert rendered.landscape and 1 <= rendered.pages <= 3
