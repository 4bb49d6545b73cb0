"""How an exported sheet is laid out for print: column widths and row heights, estimated from
the text, since neither openpyxl nor the file format can measure it.

A county prints its lists and ledgers on landscape A4 pages, all columns across the page's
width. So that no text is cut and the print stays legible:

- a column is as wide as its longest value in the first SAMPLE_ROWS rows (or as the caller
  asks), at most MAX_WIDTH; longer texts wrap. A header may wrap onto three lines;
- when the columns add up to more than a page holds at SMALLEST_SCALE, the widest text columns
  are narrowed (never below NARROWEST, never a column holding numbers or dates, which cannot
  wrap) rather than the whole page shrunk into illegible print;
- a row's height is computed from its wrapped lines. Excel fits rows without a stored height
  itself, but LibreOffice does not: it keeps the default height and cuts the wrapped text.

Widths are in Excel's units, the width of a "0" in the default font (Calibri 11 pt, about
5.25 pt); a Chinese character at 11 pt takes about 2.1 of them. Estimates err on the wide
side: a line too many leaves some white space, a line too few would cut the text.

Only the first rows are measured, so a file of any length is written in constant memory: a
later, longer text wraps onto more lines (a text so long that its row outgrows a page would
still be cut: no spreadsheet splits a row across pages); a number column holds 9 digits
whatever the sampled ones."""
import math
import re
import unicodedata
from datetime import date, datetime, time
from functools import cache, lru_cache

SAMPLE_ROWS = 1000
MIN_WIDTH, MAX_WIDTH, PADDING = 8, 40, 2
NUMBER_WIDTH = 10
CELL_PADDING = 0.7  # the room a cell keeps free beside its text (5 px)
HEADER_LINES = 3
# What one landscape A4 page holds between openpyxl's default margins (0.75 in) at 100 %:
# 10.2 in = 734 pt of 5.25 pt units. At SMALLEST_SCALE the 11 pt text prints at 5.5 pt, small
# but legible; narrower than NARROWEST (7 characters) a sentence becomes a column of words.
PAGE_WIDTH, SMALLEST_SCALE, NARROWEST = 140, 0.5, 16
WIDE_CHAR, NARROW_CHAR = 2.15, 1.1  # 11 pt at 96 dpi: 15 px of a 7 px unit
LINE_HEIGHT, ROW_MARGIN = 15.0, 2.0  # points, for 11 pt text
HIGHEST_ROW = 409.0  # Excel's limit
TITLE_SIZE, TITLE_LINE = 14, 20.0  # points
BOLD = 1.1  # bold text is that much wider

# A line may break before any wide character, but not before closing punctuation (which stays
# with the character before it); a run of narrow characters (a word, a number) breaks at its
# ends, unless it is longer than a line.
_WIDE = "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf" \
        "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
_CLOSING = "，。、；：？！）》」』】〕〉”’…·%％"
_FROM_1100 = re.compile("[\u1100-\U0010ffff]")
_BREAK = re.compile(rf"[\s{_WIDE}]")
_TOKENS = re.compile(rf"\s+|[{_WIDE}][{re.escape(_CLOSING)}]*|[^\s{_WIDE}]+")


@cache
def char_width(char: str) -> float:
    return WIDE_CHAR if unicodedata.east_asian_width(char) in "WFA" else NARROW_CHAR


def text_width(text: str) -> float:
    """The width of the text's longest line, in column-width units (a fast estimate: any
    character from U+1100 on as wide, which the rare narrow ones there only overstate)."""
    if text.isascii():
        return NARROW_CHAR * max(map(len, text.split("\n")))
    return max(NARROW_CHAR * len(line) + (WIDE_CHAR - NARROW_CHAR) * _FROM_1100.subn("", line)[1]
               for line in text.split("\n"))


def shown(value) -> str:
    """A value as a spreadsheet shows it in the General format (openpyxl's date formats)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return "" if value is None else str(value)


def column_widths(header: list[str], sample: list[list], preferred: dict[int, float] | None = None
                  ) -> list[float]:
    """One width per header column (1-based keys in `preferred`: widths the caller chose, which
    only narrowing to the page may override)."""
    preferred = preferred or {}
    widths, wraps = [], []
    for column, name in enumerate(header):
        values = [row[column] for row in sample
                  if column < len(row) and row[column] not in (None, "")]
        texts = all(isinstance(v, str) for v in values)
        content = max((text_width(shown(v)) for v in values), default=0) + PADDING
        name_width = text_width(name)
        heading = max(math.ceil(name_width / HEADER_LINES), min(name_width, 6)) + PADDING
        if column + 1 in preferred:
            width = preferred[column + 1]
        elif texts:
            width = min(MAX_WIDTH, max(MIN_WIDTH, content, heading))
        else:  # numbers and dates never wrap: as wide as the widest, and room for 9 digits
            width = max(NUMBER_WIDTH, content, min(MAX_WIDTH, heading))
        widths.append(width)
        # sentences may be narrowed; codes, numbers and dates are kept whole
        wraps.append(texts and any(_BREAK.search(v) for v in values))
    return fit_to_page(widths, wraps)


def fit_to_page(widths: list[float], wraps: list[bool]) -> list[float]:
    """Narrows the widest wrapping columns to a common cap until the sheet prints at
    SMALLEST_SCALE or more, the cap never below NARROWEST."""
    budget = PAGE_WIDTH / SMALLEST_SCALE
    if sum(widths) <= budget:
        return widths
    def capped(cap):
        return [min(w, cap) if wrap else w for w, wrap in zip(widths, wraps)]
    cap = max(widths)
    while cap > NARROWEST and sum(capped(cap)) > budget:
        cap -= 1
    return capped(max(cap, NARROWEST))


def line_count(text: str, width: float, factor: float = 1.0) -> int:
    """How many lines the text takes, wrapped in a column that wide (greedy, as the
    spreadsheet wraps; `factor` for text wider than regular, bold)."""
    room = max(width - CELL_PADDING, 1) / factor
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKENS.findall(paragraph):
            size = _token_width(token)
            if used and used + size > room and not token.isspace():  # a space may overhang
                lines, used = lines + 1, 0.0
            while size > room:  # longer than a line: broken across lines
                lines, size = lines + 1, size - room
            used += size
    return lines


@lru_cache(maxsize=4096)  # tokens repeat: single characters, common words
def _token_width(token: str) -> float:
    return sum(map(char_width, token))


def row_height(values: list, widths: list[float], bold: bool = False) -> float | None:
    """The height (points) the row's wrapped texts need, or None for a row of one line."""
    factor = BOLD if bold else 1.0
    lines = 1
    for value, width in zip(values, widths):
        if isinstance(value, str) and (
                "\n" in value or text_width(value) * factor > width - CELL_PADDING):
            lines = max(lines, line_count(value, width, factor))
    return None if lines == 1 else min(lines * LINE_HEIGHT + ROW_MARGIN, HIGHEST_ROW)


def title_height(title: str, width: float) -> float:
    """The height (points) of the title row, the title wrapped across the table's width."""
    return line_count(title, width, factor=TITLE_SIZE / 11 * BOLD) * TITLE_LINE + 4
