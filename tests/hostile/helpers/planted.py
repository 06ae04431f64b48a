"""Builders for the second round of hostile cases: identifiers planted in the wrong column.

Each builder edits one clean generated CSV file in place (as `builders` does) and returns the
source rows it expects quarantined. The planted values are recorded in `PLANTED` so that a test
can search every output for them.
"""

from __future__ import annotations

from tests.hostile.helpers.corpus import Quarantine, Site
from transforms.identifiers import normalise_nhs_number

RI = "restrictive_interventions"
WS = "ward_stays"
DASHED_NHS = "943-476-5919"  # valid check digit, printed with dashes
PLANTED: set[str] = {DASHED_NHS, "9434765919"}


def _column(site: Site, grid: list[list[str]], dataset: str, field: str) -> int:
    return grid[0].index(site.header(dataset, field))


def nhs_number_in_ward_code(site: Site) -> Quarantine:
    """Data row 2's ward code holds its own patient's NHS number (columns shifted by one)."""
    path = site.file(WS)
    grid = site.read_grid(path)
    nhs = grid[2][_column(site, grid, WS, "nhs_number")]
    grid[2][_column(site, grid, WS, "ward_code")] = nhs
    PLANTED.update({nhs, normalise_nhs_number(nhs) or nhs})
    site.write_grid(path, grid)
    return {3: "identifier_in_key_column"}


def dashed_nhs_number_in_incident_id(site: Site) -> Quarantine:
    """Data row 1's incident id is an NHS number written with dashes."""
    path = site.file(RI)
    grid = site.read_grid(path)
    grid[1][_column(site, grid, RI, "incident_id")] = DASHED_NHS
    site.write_grid(path, grid)
    return {2: "identifier_in_key_column"}


def local_id_in_reason(site: Site) -> Quarantine:
    """Data row 1's reason holds another patient's local id (from the last row): the row loads,
    the reason is withheld."""
    path = site.file(RI)
    grid = site.read_grid(path)
    local = grid[-1][_column(site, grid, RI, "local_patient_id")]
    grid[1][_column(site, grid, RI, "reason")] = local
    PLANTED.add(local)
    site.write_grid(path, grid)
    return {}


def fifo_named_like_an_extract(site: Site) -> Quarantine:
    """The extract replaced by a named pipe of the same name (reading it would block)."""
    import os

    path = site.file(RI)
    path.unlink()
    os.mkfifo(path)
    return {}


def extract_in_a_subfolder(site: Site) -> Quarantine:
    """The month's interventions file one folder too deep."""
    path = site.file(RI)
    (site.folder / "extra").mkdir()
    path.rename(site.folder / "extra" / path.name)
    return {}


def file_in_trust_folder(site: Site) -> Quarantine:
    """A copy of an extract dropped in the trust's folder, outside any month folder."""
    import shutil

    source = site.file(WS, "2024-03")
    shutil.copyfile(source, site.landing / site.trust_code / source.name)
    return {}


def _workbook(site: Site, dataset: str):  # -> (path, workbook, sheet, {heading: column})
    import openpyxl

    path = site.file(dataset)
    book = openpyxl.load_workbook(path)
    sheet = book[site.trust.sheet] if site.trust.sheet else book.worksheets[0]
    row = site.trust.header_row
    headings = {str(c.value): c.column for c in sheet[row] if c.value is not None}
    return path, book, sheet, headings


def xlsx_merged_header(site: Site) -> Quarantine:
    """The stay start and stay end headings merged into one cell (a 'Dates' banner)."""
    path, book, sheet, headings = _workbook(site, WS)
    row = site.trust.header_row
    first = headings[site.header(WS, "stay_start")]
    last = headings[site.header(WS, "stay_end")]
    sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    book.save(path)
    return {}


def xlsx_error_cells(site: Site) -> Quarantine:
    """#REF! in the first stay's end, #DIV/0! in the second stay's start (formulas that failed;
    the fast reader sees both as blank)."""
    path, book, sheet, headings = _workbook(site, WS)
    row = site.trust.header_row
    sheet.cell(row + 1, headings[site.header(WS, "stay_end")]).value = "#REF!"
    sheet.cell(row + 2, headings[site.header(WS, "stay_start")]).value = "#DIV/0!"
    book.save(path)
    return {row + 1: "excel_error_cell", row + 2: "excel_error_cell"}


def end_in_year_9999(site: Site) -> Quarantine:
    """Data row 1 ends on 31/12/9999 (a placeholder for 'not ended')."""
    path = site.file(RI)
    grid = site.read_grid(path)
    grid[1][_column(site, grid, RI, "end")] = "31/12/9999 00:00"
    site.write_grid(path, grid)
    return {2: "duration_implausible"}


def end_in_2099_born_in_1850(site: Site) -> Quarantine:
    """Parquet with typed cells: data row 1 ends in 2099 (a mistyped year, after the day the
    file arrived); data row 2's patient was born in 1850 (a demographic field: the row loads with
    age band Unknown and a warning, age_over_120)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = site.file(RI)
    table = pq.read_table(path)
    frame = table.to_pandas()
    end, dob = site.header(RI, "end"), site.header(RI, "date_of_birth")
    frame[end] = frame[end].astype(object)
    frame.loc[0, end] = pd.Timestamp("2099-04-02 10:00:00").to_pydatetime()
    frame[dob] = frame[dob].astype(object)
    frame.loc[1, dob] = pd.Timestamp("1850-06-01").date()
    pq.write_table(pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False), path)
    return {2: "end_after_arrival"}


def six_hundred_columns(site: Site) -> Quarantine:
    """600 extra empty columns on the header: refused before its rows are read."""
    path = site.file(RI)
    grid = site.read_grid(path)
    grid[0] += [f"extra {i}" for i in range(600)]
    site.write_grid(path, grid)
    return {}
