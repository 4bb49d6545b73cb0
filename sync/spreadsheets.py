"""Reading the tables people keep: CSV as Chinese offices save it (UTF-8 with or without BOM,
UTF-16, GBK) and XLSX. Shared by the client's defects file and the server's building import."""
import csv
import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

DELIMITER_SAMPLE_ROWS = 10


class UnreadableTable(Exception):
    """The file cannot be read as a table at all; the message says what to do, in Chinese."""


def read_table(path, sheet: str | None = None) -> tuple[str | None, list[list]]:
    """(sheet name, or None for CSV; every row from row 1 on, as a list of cell values)."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableTable(f"找不到文件 {path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise UnreadableTable("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or data.startswith(b"PK"):
        return _read_xlsx(path, sheet)
    return None, _read_csv(data)


def _read_csv(data: bytes) -> list[list]:
    text = decode_text(data)
    sample = "\n".join(text.splitlines()[:DELIMITER_SAMPLE_ROWS])
    delimiter = max(",\t;", key=sample.count)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def decode_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):  # GB18030 is a superset of GBK and GB2312
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableTable("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")


def _read_xlsx(path: Path, sheet: str | None) -> tuple[str, list[list]]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise UnreadableTable(f"无法打开 Excel 文件 {path.name}，文件可能已损坏") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise UnreadableTable(f"找不到工作表“{sheet}”；文件中的工作表有：{'、'.join(book.sheetnames)}")
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        worksheet.reset_dimensions()  # some writers record a wrong used range; read what is there
        return worksheet.title, [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()
