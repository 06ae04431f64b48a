"""Excel's traps, found before a workbook's cells become text: merged or blank headings, error
values (`#REF!`, `#DIV/0!`, ...) that the fast reader (calamine) returns as blank cells.

A header row with a merged range, a blank heading over a column that holds data, or an error
value rejects the file naming the cells (`file_unreadable`). An error value in a data cell is
written into the cell as its error text (e.g. `#REF!`), so that the row rule
`excel_error_cell` quarantines the row saying so, instead of reading it as blank.

Error cells are found in the sheet's XML (`<c r="B7" t="e">`): only a sheet that holds one pays
for more than a byte search. Pure: bytes in, cells out.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from typing import Final

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from transforms.errors import FileRejected

EXCEL_ERRORS: Final = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})  # fmt: skip
_CELL: Final = re.compile(rb"<c\b([^>]*?)(?<!/)>(.*?)</c>", re.S)
_REF: Final = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_VALUE: Final = re.compile(rb"<v>([^<]*)</v>")
_SHEET: Final = re.compile(rb"<sheet\b[^>]*>")
_REL: Final = re.compile(rb"<Relationship\b[^>]*>")


def _attribute(tag: bytes, name: bytes) -> bytes | None:
    found = re.search(rb"(?:^|\s)" + re.escape(name) + rb'="([^"]*)"', tag)
    return found.group(1) if found else None


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (openpyxl's conversion, from a 0-based index)."""
    return get_column_letter(index + 1)


def _column_index(letters: bytes) -> int:
    return column_index_from_string(letters.decode("ascii")) - 1


def _sheet_path(book: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding `sheet`, from workbook.xml and its relationships."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    targets = {_attribute(t, b"Id"): _attribute(t, b"Target") for t in _REL.findall(rels)}
    for tag in _SHEET.findall(workbook):
        name, rid = _attribute(tag, b"name"), _attribute(tag, b"r:id")
        target_bytes = targets.get(rid) if rid else None
        if name is not None and _unescape(name) == sheet and target_bytes:
            target = target_bytes.decode("utf-8").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    return None


def _unescape(text: bytes) -> str:
    return (
        text.decode("utf-8").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&apos;", "'").replace("&amp;", "&")
    )  # fmt: skip


def error_cells(content: bytes, sheet: str) -> dict[tuple[int, int], str]:
    """{(row, column) 0-based: error text} of every error-valued cell of `sheet`."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as book:
            path = _sheet_path(book, sheet)
            xml = book.read(path) if path else b""
    except (zipfile.BadZipFile, KeyError):
        return {}
    if b't="e"' not in xml:
        return {}
    found: dict[tuple[int, int], str] = {}
    for attributes, body in _CELL.findall(xml):
        if b't="e"' not in attributes:
            continue
        ref, value = _REF.search(attributes), _VALUE.search(body)
        if ref and value:
            found[(int(ref.group(2)) - 1, _column_index(ref.group(1)))] = value.group(1).decode()
    return found


def check_header(
    header: list[str], merged: list[tuple[tuple[int, int], tuple[int, int]]],
    errors: dict[tuple[int, int], str], has_data: list[bool], header_row: int, file_name: str,
) -> None:  # fmt: skip
    """Reject a header row (1-based `header_row`) with merged, blank or error-valued headings."""
    row = header_row - 1
    problems: list[str] = []
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1:
            cells = f"{column_letters(c0)}{r0 + 1}:{column_letters(c1)}{r1 + 1}"
            problems.append(f"merged cells {cells}")
    for (r, c), error in sorted(errors.items()):
        if r == row:
            problems.append(f"{column_letters(c)}{header_row} holds the error {error}")
    for c, (heading, data) in enumerate(zip(header, has_data, strict=True)):
        if not heading.strip() and data and (row, c) not in errors:
            problems.append(f"{column_letters(c)}{header_row} is blank over a column of data")
    if problems:
        raise FileRejected(
            "file_unreadable",
            f"{file_name}: the heading row (row {header_row}) has {'; '.join(problems[:10])}. "
            "Give every column its own heading in one cell, without merged cells or formulas "
            "that fail.",
        )
