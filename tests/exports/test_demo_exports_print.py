"""Each XLSX export of the demo county printed as a county prints it (LibreOffice, the sheet's
own page setup): landscape pages, the header on every page, a sensible number of pages, and no
cell's text cut. Written to survive changes to the exports' content: it checks every cell of
whatever the sheets hold (a list has a sheet per 社区), and bounds the pages loosely by their
rows.

The renderings stay in /tmp/loujian-renders/<test>/ (the PDF and its first pages as PNG) for a
person to look at."""
import io
import math

import pytest
from openpyxl import load_workbook

from server.exports.pages import EXPORTS
from tests.exports.rendering import normalized

pytestmark = pytest.mark.slow  # the demo county (some 20 s), then LibreOffice for each kind
ROWS_PER_PAGE = (3, 60)  # fewer: rows taller than sensible; more: print too small to read


@pytest.fixture(scope="module")
def demo_exports(reviewer_client):
    """Every kind of export of the demo county, as its reviewer downloads it."""
    files = {}
    for kind in EXPORTS:
        response = reviewer_client.get(f"/desk/exports/{kind}.xlsx")
        assert response.status_code == 200, response.data[:300]
        files[kind] = response.data
    return files


@pytest.mark.parametrize("kind", list(EXPORTS))
def test_demo_export_prints_whole_on_landscape_pages(demo_exports, render_xlsx, kind):
    data = demo_exports[kind]
    sheets = [list(sheet.iter_rows(values_only=True))
              for sheet in load_workbook(io.BytesIO(data), read_only=True).worksheets]
    headers = [rows[1] for rows in sheets]
    body = [row for rows in sheets for row in rows[2:]]
    rendered = render_xlsx(data, png_pages=2)
    where = f"(see {rendered.pdf_path.parent})"
    assert rendered.missing_cells == [], f"text cut in print {where}"
    assert rendered.landscape, where
    fewest, most = (math.ceil(len(body) / ROWS_PER_PAGE[1]),
                    math.ceil(len(body) / ROWS_PER_PAGE[0]) + 1)
    assert max(fewest, len(sheets)) <= rendered.pages <= most + len(sheets), \
        (len(body), rendered.pages, where)
    for number, text in enumerate(rendered.page_texts, 1):
        page = normalized(text)
        assert any(all(normalized(str(name)) in page for name in header if name)
                   for header in headers), f"page {number} lacks its sheet's header {where}"
