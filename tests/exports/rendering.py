"""XLSX bytes printed as a county prints them: LibreOffice's PDF export (the sheet's own page
setup: landscape A4, fitted to the width, header repeated), its pages as PNG for a person to
look at, and a check that no cell's text was cut.

The check reads the text that shows. LibreOffice leaves out the lines of a wrapped text below
its row's bottom and writes a number too wide for its column as ###, but it writes a text
clipped by a filled neighbour whole, with a clipping path that hides its end: so the PDF is
first drawn again by poppler's cairo backend (`pdftocairo -pdf`), which drops every glyph its
clip hides, and its text read in content-stream order (`pdftotext -raw`). Every cell's text,
whitespace removed (a wrapped text is drawn line by line), must appear there as many times as
cells hold it. A short text can be found inside a longer one: the check proves long texts
whole, which is where cutting happens.

Needs Debian's libreoffice-calc-nogui, poppler-utils and two fonts (`make test-system-packages`):
a missing tool fails the test, it never skips it."""
import contextlib
import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import load_workbook

TOOLS = {"soffice": "libreoffice-calc-nogui", "pdfinfo": "poppler-utils",
         "pdftocairo": "poppler-utils", "pdftotext": "poppler-utils", "pdftoppm": "poppler-utils"}
# Chinese rather than empty boxes; Calibri's metrics (the exports' font), so that columns are
# laid out as in Excel
FONTS = {"WenQuanYi Micro Hei": "fonts-wqy-microhei", "Carlito": "fonts-crosextra-carlito"}
CONVERT_SECONDS = 180  # a first start builds LibreOffice's profile; two cores shared with pytest
RENDERS = Path("/tmp/loujian-renders")


@dataclass
class Rendered:
    pdf_path: Path
    pages: int
    page_sizes: list[tuple[float, float]]  # points, width × height, one per page
    png_paths: list[Path]
    page_texts: list[str]  # pdftotext -raw, one per page
    missing_cells: list[str] = field(default_factory=list)  # "Sheet!D5 达明新村…" of cut cells

    @property
    def landscape(self) -> bool:
        return all(width > height for width, height in self.page_sizes)


def require_tools() -> None:
    missing = {package for tool, package in TOOLS.items() if not shutil.which(tool)}
    fonts = run("fc-list", ":", "family") if shutil.which("fc-list") else ""
    missing |= {package for family, package in FONTS.items() if family not in fonts}
    missing = sorted(missing)
    if missing:
        pytest.fail(f"Debian's {' and '.join(missing)} needed to render the exports: "
                    "run `make test-system-packages`", pytrace=False)


class Renderer:
    """Converts with one LibreOffice profile of its own (so that parallel runs, each with its
    own, never share one), writing each rendering to a folder named after it."""

    def __init__(self, profile: Path, renders: Path = RENDERS):
        require_tools()
        self.profile, self.renders = profile, renders

    def render(self, data: bytes, name: str, png_pages: int = 2, dpi: int = 110) -> Rendered:
        self.renders.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".rendering-", dir=self.renders))
        source = folder / "export.xlsx"
        source.write_bytes(data)
        pdf = self._convert(source)
        sizes = page_sizes(pdf)
        run("pdftoppm", "-r", str(dpi), "-png", "-l", str(png_pages), str(pdf),
            str(folder / "page"))
        visible = folder / "visible.pdf"  # the glyphs that show, without the clipped ones
        run("pdftocairo", "-pdf", str(pdf), str(visible))
        text = run("pdftotext", "-raw", str(visible), "-")
        # In place of the test's last rendering; should another run (the suite on the other
        # database, say) put its own there meanwhile, this one stays where it was made.
        named = self.renders / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(named, ignore_errors=True)
        with contextlib.suppress(OSError):
            folder = folder.rename(named)
        print(f"rendered {name}: {len(sizes)} pages, PNGs in {folder}")
        return Rendered(folder / pdf.name, len(sizes), sizes, sorted(folder.glob("page-*.png")),
                        text.split("\f")[:len(sizes)], missing_cells(data, text))

    def _convert(self, source: Path) -> Path:
        run("soffice", f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
            "--norestore", "--convert-to", "pdf", "--outdir", str(source.parent), str(source),
            timeout=CONVERT_SECONDS)
        pdf = source.with_suffix(".pdf")
        assert pdf.exists(), f"LibreOffice made no PDF of {source}"
        return pdf


def run(*command: str, timeout: float = 60) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = run("pdfinfo", "-f", "1", "-l", "100000", str(pdf))
    return [(float(w), float(h)) for w, h in
            re.findall(r"^Page +\d+ size: +([\d.]+) x ([\d.]+)", info, re.MULTILINE)]


def missing_cells(xlsx: bytes, pdf_text: str) -> list[str]:
    """The cells (of every sheet) whose text the PDF's text does not hold whole."""
    shown = normalized(pdf_text)
    cells: dict[str, list[str]] = {}
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                text = normalized(displayed(cell))
                if text:
                    cells.setdefault(text, []).append(f"{sheet.title}!{cell.coordinate}")
    workbook.close()
    missing = []
    for text, where in cells.items():
        found = shown.count(text)
        if found < len(where):
            note = "" if found == 0 else f" (found {found} of {len(where)} times)"
            missing += [f"{place} {text[:60]}{note}" for place in where]
    if "###" in shown:
        missing.append("### in the PDF: a number too wide for its column")
    return missing


def displayed(cell) -> str:
    """A cell's value as the spreadsheet shows it (General format; ISO dates)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")  # the date, whatever the format shows of the time
    if isinstance(value, time):
        return ""  # formats vary; not checked
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


def normalized(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
