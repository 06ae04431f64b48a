"""A minimal, deterministic XLSX writer (one sheet, inline strings, typed dates).

Why not openpyxl: it costs about 60 ms a file here (too slow for 16 trusts x 60 months) and
stamps the zip entries and docProps with the current time, so the same seed would not give the
same bytes. This writes the six parts Excel, openpyxl and calamine need, with every zip entry
dated 1980-01-01 and the document created/modified at a time the caller fixes. Dates are
Excel serial numbers with built-in formats 14 (date) and 22 (date-time), as Excel itself saves.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from openpyxl.utils.cell import get_column_letter

_EPOCH = np.datetime64("1899-12-30T00:00", "m")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_PKG = "application/vnd.openxmlformats-package"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (openpyxl's conversion, from a 0-based index)."""
    return get_column_letter(i + 1)


def _escape(values: np.ndarray) -> np.ndarray:
    out = values.astype(np.dtypes.StringDType())  # variable width: fixed "<U3" would truncate
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        out = np.strings.replace(out, raw, safe)
    return out


def _cells(values: np.ndarray, letter: str, rows: np.ndarray) -> list[str]:
    if values.dtype.kind == "M":
        is_date = values.dtype == np.dtype("datetime64[D]")
        serial = (values.astype("datetime64[m]") - _EPOCH).astype(np.int64) / 1440
        style = 2 if is_date else 1
        return [
            "" if np.isnat(v) else f'<c r="{letter}{r}" s="{style}"><v>{s!r}</v></c>'
            for v, s, r in zip(values, serial.tolist(), rows.tolist(), strict=True)
        ]
    return [
        f'<c r="{letter}{r}" t="inlineStr"><is><t>{v}</t></is></c>' if v else ""
        for v, r in zip(_escape(values).tolist(), rows.tolist(), strict=True)
    ]


def sheet_xml(
    headers: Sequence[str], columns: Sequence[np.ndarray], header_row: int, title: str
) -> str:
    n = len(columns[0]) if columns else 0
    rows = np.arange(header_row + 1, header_row + 1 + n)
    letters = [column_letter(i) for i in range(len(headers))]
    parts = [f"{_XML}<worksheet {_NS}><sheetData>"]
    if header_row > 1:
        parts.append(f'<row r="1">{_cells(np.array([title]), "A", np.array([1]))[0]}</row>')
    head = _cells(np.array(headers), "", np.zeros(len(headers), dtype=int))
    head = [
        c.replace('r="0"', f'r="{x}{header_row}"', 1) for c, x in zip(head, letters, strict=True)
    ]
    parts.append(f'<row r="{header_row}">{"".join(head)}</row>')
    body = [_cells(col, x, rows) for col, x in zip(columns, letters, strict=True)]
    for r, cells in zip(rows.tolist(), zip(*body, strict=True), strict=False):
        parts.append(f'<row r="{r}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


def _rels(*targets: tuple[str, str]) -> str:
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target="{target}"/>'
        for i, (kind, target) in enumerate(targets, start=1)
    )
    return f'{_XML}<Relationships xmlns="{_PKG_REL}">{links}</Relationships>'


def _content_types() -> str:
    overrides = (
        ("/xl/workbook.xml", f"{_CT}.spreadsheetml.sheet.main+xml"),
        ("/xl/worksheets/sheet1.xml", f"{_CT}.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", f"{_CT}.spreadsheetml.styles+xml"),
        ("/docProps/core.xml", f"{_PKG}.core-properties+xml"),
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{_PKG}.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
        + "</Types>"
    )


def _core(stamp: str) -> str:
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="{_CORE_NS}" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>mhsip synthetic generator</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


_XF = '<xf numFmtId="{}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
_STYLES = (
    f"{_XML}<styleSheet {_NS}>"
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    f'<cellXfs count="3">{_XF.format(0)}{_XF.format(22)}{_XF.format(14)}</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)  # style 1 = date-time (built-in format 22), style 2 = date (built-in format 14)


def workbook_bytes(sheet_name: str, sheet: str, when: datetime) -> bytes:
    """The .xlsx bytes for one sheet; `when` is the document's created and modified time."""
    name = sheet_name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _rels(
            (f"{_REL}/officeDocument", "xl/workbook.xml"), (_CORE_REL, "docProps/core.xml")
        ),
        "docProps/core.xml": _core(when.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "xl/workbook.xml": (
            f'{_XML}<workbook {_NS} xmlns:r="{_REL}">'
            f'<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": _rels(
            (f"{_REL}/worksheet", "worksheets/sheet1.xml"), (f"{_REL}/styles", "styles.xml")
        ),
        "xl/styles.xml": _STYLES,
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part, text in parts.items():
            info = zipfile.ZipInfo(part, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
