"""Read a trust's file (bytes) into a raw frame: the trust's own headers, every cell as text.

Grain: one row per non-blank data row of the file. Every cell is trimmed text (pandas `str`
dtype, blank = NA) so mapping sees exactly what the trust typed, whatever the format; typed
cells from Excel or Parquet are turned into the text a person would have typed: whole numbers
without ``.0``, date-times as ``YYYY-MM-DD HH:MM:SS``, dates as ``YYYY-MM-DD``, booleans as
``Y``/``N`` (the only boolean canonical fields are Y/N flags).

`source_row_number` is the row a person sees in the file (header row and any title rows above it
counted), so every message to the trust can point at a row. Fully blank rows are dropped but
keep their numbers. Anything that cannot be read raises `FileRejected` with a message a trust
data lead can act on, never a traceback and never a cell's content.

Hostile bytes are refused before a parser expands them (`transforms.read_guards`): binary,
UTF-16 or zip bytes sent as CSV, encrypted or non-zip workbooks, and workbooks or Parquet files
that would expand beyond `ReadLimits` in memory. A header row holding dates or long numbers is a
data row (the headings are missing or on another row): it is refused without quoting it, since
its cells are a patient's values.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import python_calamine

from transforms.canonical import SOURCE_ROW
from transforms.errors import FileRejected
from transforms.read_guards import (
    DEFAULT_LIMITS,
    ReadLimits,
    check_columns,
    check_expanded_size,
    check_text_bytes,
    check_workbook,
    header_looks_like_data,
)
from transforms.trust_config import TrustConfig
from transforms.xlsx_traps import check_header, error_cells

_PARQUET_MAGIC = b"PAR1"
_DELIMITERS = (",", ";", "\t", "|")


def read_table(
    content: bytes, file_name: str, trust: TrustConfig, *, limits: ReadLimits = DEFAULT_LIMITS
) -> pd.DataFrame:
    """Raw frame of the file in the trust's configured format (see module docstring)."""
    if not content:
        raise FileRejected("file_empty", f"{file_name} is empty (0 bytes).")
    if trust.format == "csv":
        grid, header_row = _csv_grid(content, file_name, trust, limits), 1
    elif trust.format == "xlsx":
        check_workbook(content, file_name, limits)
        grid, header_row = _xlsx_grid(content, file_name, trust, limits), trust.header_row
    else:
        grid, header_row = _parquet_grid(content, file_name, limits), 1
    if grid.empty or not grid.iloc[0].astype("str").str.strip().str.len().gt(0).any():
        raise FileRejected("file_empty", f"{file_name} has no header row (row {header_row}).")
    if header_looks_like_data([str(h) for h in grid.iloc[0]]):
        raise FileRejected(
            "missing_required_columns",
            f"{file_name}: row {header_row} should hold the column headings but holds values "
            "that look like data (dates or long numbers), so the headings are missing or on "
            f"another row. Put the headings on row {header_row} as agreed, or ask us to change "
            "the trust's header row.",
        )
    return _frame(grid, header_row, file_name)


def _csv_grid(
    content: bytes, file_name: str, trust: TrustConfig, limits: ReadLimits
) -> pd.DataFrame:
    """Every record of the CSV, header first, as text (no header interpretation yet)."""
    check_text_bytes(content, file_name, trust.encoding)
    try:
        text = content.decode(trust.encoding)
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise FileRejected(
            "file_unreadable",
            f"{file_name} is not valid {trust.encoding} text (first bad character on line "
            f"{line}). Save it with {trust.encoding} encoding, or tell us the encoding used.",
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return pd.DataFrame()
    check_columns(text.split("\n", 1)[0].count(trust.delimiter) + 1, file_name, limits)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=trust.delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileRejected(
            "file_unreadable",
            f"{file_name} could not be read as CSV with delimiter {trust.delimiter!r}: "
            f"{_parser_reason(exc)}. Check the delimiter and that every row has the same "
            "number of fields as the header.",
        ) from None
    _check_delimiter(grid, file_name, trust.delimiter)
    return grid.fillna("")


def _check_delimiter(grid: pd.DataFrame, file_name: str, delimiter: str) -> None:
    """A one-column header holding another delimiter means the file uses that delimiter."""
    if grid.shape[1] != 1 or grid.empty:
        return
    header = str(grid.iloc[0, 0])
    found = [d for d in _DELIMITERS if d != delimiter and header.count(d) >= 2]
    if found:
        raise FileRejected(
            "file_unreadable",
            f"{file_name}: the header row is one column that seems to be separated by "
            f"{found[0]!r}, but this trust is set up for {delimiter!r}. Save the file with "
            f"{delimiter!r} between fields, or ask us to change the trust's delimiter.",
        )


def _parser_reason(exc: Exception) -> str:
    # pandas says e.g. "Error tokenizing data. C error: Expected 3 fields in line 5, saw 4";
    # keep only the part about fields and lines (it never quotes cell content).
    return str(exc).split("C error: ")[-1].strip().rstrip(".")


def _xlsx_grid(
    content: bytes, file_name: str, trust: TrustConfig, limits: ReadLimits
) -> pd.DataFrame:
    """Cells from the header row down, as text; rows above the header are a title."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception:  # calamine raises several unrelated types for corrupt or non-zip bytes
        raise FileRejected(
            "file_unreadable",
            f"{file_name} could not be opened as an Excel workbook (.xlsx); it may be corrupt, "
            "password-protected or another format saved with an .xlsx name.",
        ) from None
    names = list(book.sheet_names)
    if trust.sheet is None:
        chosen = names[0] if names else None
    else:
        wanted = trust.sheet.strip().casefold()
        chosen = next((n for n in names if n.strip().casefold() == wanted), None)
        if chosen is None:
            raise FileRejected(
                "file_unreadable",
                f"{file_name} has no sheet named {trust.sheet!r} (sheets: "
                f"{', '.join(map(repr, names))}). Rename the sheet or ask us to update the "
                "trust's configuration.",
            )
    if chosen is None:
        return pd.DataFrame()
    sheet = book.get_sheet_by_name(chosen)
    check_columns(int(sheet.width), file_name, limits)
    cells = sheet.to_python(skip_empty_area=False)
    errors = error_cells(content, chosen)
    for (r, c), error in errors.items():  # calamine reads an error value as blank
        if r < len(cells) and c < len(cells[r]):
            cells[r][c] = error
    top = trust.header_row - 1
    rows = [[_cell_text(v) for v in row] for row in cells[top:]]
    if rows:
        header = rows[0]
        has_data = [
            not heading.strip() and any(r[c] != "" for r in rows[1:] if c < len(r))
            for c, heading in enumerate(header)
        ]  # looked at for blank headings only
        merged = list(sheet.merged_cell_ranges or [])
        check_header(header, merged, errors, has_data, trust.header_row, file_name)
    return pd.DataFrame(rows, dtype="str")


def _cell_text(value: Any) -> str:
    """Text a person would have typed for one typed cell (see module docstring)."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return "" if value is None else str(value)


def _parquet_grid(content: bytes, file_name: str, limits: ReadLimits) -> pd.DataFrame:
    """Header (column names) then every row, as text; typed values as a person would type them."""
    try:
        meta = pq.ParquetFile(io.BytesIO(content)).metadata
        expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        check_expanded_size(expanded, file_name, limits)
        check_columns(meta.num_columns, file_name, limits)
        table = pq.read_table(io.BytesIO(content))
    except (pa.ArrowException, OSError, ValueError):
        hint = "" if content[:4] == _PARQUET_MAGIC else " (it does not start like a Parquet file)"
        raise FileRejected(
            "file_unreadable",
            f"{file_name} could not be read as a Parquet file{hint}; it may be corrupt or "
            "truncated. Please export it again.",
        ) from None
    if table.num_columns == 0:
        return pd.DataFrame()
    header = pd.DataFrame([[str(n) for n in table.column_names]])
    body = pd.DataFrame({i: _arrow_text(table.column(i)) for i in range(table.num_columns)})
    return pd.concat([header, body], ignore_index=True).astype("str")


def _arrow_text(column: pa.ChunkedArray) -> list[str]:
    """One Parquet column as text; tz-aware instants are shown in UK local time."""
    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        local = column.to_pandas().dt.tz_convert("Europe/London").dt.tz_localize(None)
        return local.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").tolist()
    return [_cell_text(v) for v in column.to_pylist()]


def _frame(grid: pd.DataFrame, header_row: int, file_name: str) -> pd.DataFrame:
    """Raw frame from a text grid whose first row is the header (row `header_row` of the file).

    The cells are trimmed in pyarrow, column by column, with the function pandas' `str.strip`
    calls: the same text, without a pandas round-trip per step (this runs once per file).
    """
    names = [str(h).strip() for h in grid.iloc[0]]
    grid = grid if (grid.dtypes == "str").all() else grid.astype("str")
    table = pa.Table.from_pandas(grid, preserve_index=False)
    cells = [_trimmed(table.column(i).slice(1)) for i in range(len(names))]
    keep = [i for i, name in enumerate(names) if name or cells[i].null_count < len(cells[i])]
    names = [names[i] or f"unnamed column {i + 1}" for i in keep]
    _check_duplicates(names, file_name)
    columns = dict(zip(names, (cells[i] for i in keep), strict=True))
    present = np.zeros(len(grid) - 1, dtype=bool)  # rows with at least one value
    for cells_of_column in columns.values():
        present |= cells_of_column.is_valid().to_numpy(zero_copy_only=False)
    rows = pa.array(range(header_row + 1, header_row + len(grid)), pa.int64())
    # Fully blank rows go (the others keep their numbers); a trust column headed exactly
    # SOURCE_ROW is overwritten in place and, never blank, keeps every row.
    if SOURCE_ROW not in columns:
        columns = {name: values.filter(present) for name, values in columns.items()}
        rows = rows.filter(present)
    frame = {name: pd.array(values, dtype="str") for name, values in columns.items()}
    frame[SOURCE_ROW] = rows.to_numpy()
    return pd.DataFrame(frame)


def _trimmed(cells: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cells without surrounding whitespace, blank as missing (null)."""
    text = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(text, ""), None, text)


def _check_duplicates(names: list[str], file_name: str) -> None:
    seen: set[str] = set()
    dupes: list[str] = []
    for name in names:
        folded = " ".join(name.split()).casefold()
        if folded in seen:
            dupes.append(name)
        seen.add(folded)
    if dupes:
        raise FileRejected(
            "duplicate_columns",
            f"{file_name} has more than one column headed {', '.join(map(repr, dupes))} "
            "(headers are compared ignoring case and spaces). Rename or remove the copies.",
        )
