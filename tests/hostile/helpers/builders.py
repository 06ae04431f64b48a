"""How each bad input is made from a clean generated file. Synthetic data only.

Each builder edits the case's trust-month folder in place and returns the source rows it expects
quarantined (row numbers as the trust sees them: a CSV's first data row is 2). Builders that make
the whole file unreadable return {}.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import zipfile
from collections.abc import Callable
from datetime import datetime

import openpyxl
import pyarrow.parquet as pq

from tests.hostile.helpers.corpus import Quarantine, Site
from transforms.identifiers import is_valid_nhs_number, normalise_nhs_number

RI = "restrictive_interventions"
WS = "ward_stays"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_WARD = '=HYPERLINK("http://example.invalid/a","ward")'
FORMULA_TYPE = '=HYPERLINK("http://example.invalid/b","08")'
INJECTION_WARD = "W1'); DROP TABLE fct_ward_stay_month;--"
TRAVERSAL_WARD = "../../../etc/passwd"


def _column(site: Site, grid: list[list[str]], dataset: str, field: str) -> int:
    return grid[0].index(site.header(dataset, field))  # type: ignore[arg-type]


def truncated_mid_row(site: Site) -> Quarantine:
    """The transfer stopped inside the last row: it ends just into the intervention type."""
    path = site.file(RI)
    grid = site.read_grid(path)
    cut = _column(site, grid, RI, "intervention_type")
    text = path.read_bytes().decode(site.trust.encoding).rstrip("\n")
    head, _, _ = text.rpartition("\n")
    partial = site.trust.delimiter.join(grid[-1][:cut]) + site.trust.delimiter + "0"
    path.write_bytes(f"{head}\n{partial}".encode(site.trust.encoding))
    return {len(grid): "start_missing_or_invalid"}


def truncated_in_quotes(site: Site) -> Quarantine:
    path = site.file(RI)
    path.write_bytes(path.read_bytes() + b'"00009,1,999 0')
    return {}


def wrong_delimiter(site: Site) -> Quarantine:
    path = site.file(RI)
    site.write_grid(path, site.read_grid(path), delimiter=";")
    return {}


def utf16(site: Site) -> Quarantine:
    path = site.file(RI)
    path.write_bytes(path.read_bytes().decode(site.trust.encoding).encode("utf-16"))
    return {}


def cp1252_in_utf8(site: Site) -> Quarantine:
    """A ward name typed in Excel on Windows: 'é' as the single byte 0xE9, on data row 3."""
    path = site.file(RI)
    grid = site.read_grid(path)
    grid[3][_column(site, grid, RI, "ward_code")] = "Café"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", delimiter=site.trust.delimiter).writerows(grid)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return {}


def binary_garbage(site: Site) -> Quarantine:
    noise = random.Random(13).randbytes(3000)
    site.file(RI).write_bytes(b"\x00\x01\x02" + noise)
    return {}


def zero_bytes(site: Site) -> Quarantine:
    site.file(RI).write_bytes(b"")
    return {}


def drop_ward_code(site: Site) -> Quarantine:
    path = site.file(WS)
    grid = site.read_grid(path)
    index = _column(site, grid, WS, "ward_code")
    site.write_grid(path, [row[:index] + row[index + 1 :] for row in grid])
    return {}


def duplicate_column(site: Site) -> Quarantine:
    path = site.file(RI)
    grid = site.read_grid(path)
    index = _column(site, grid, RI, "ward_code")
    site.write_grid(path, [[*row, row[index]] for row in grid])
    return {}


def unknown_column(site: Site) -> Quarantine:
    path = site.file(RI)
    grid = site.read_grid(path)
    site.write_grid(
        path, [[*grid[0], "Free text notes"]] + [[*r, "seen by Dr X"] for r in grid[1:]]
    )
    return {}


def bad_check_digits(site: Site) -> Quarantine:
    """NHS numbers on data rows 1 and 3 get a wrong check digit (spacing kept): the rows load
    and the trust is warned (`nhs_number_invalid`)."""
    path = site.file(RI)
    grid = site.read_grid(path)
    index = _column(site, grid, RI, "nhs_number")
    for row in (grid[1], grid[3]):
        digits = normalise_nhs_number(row[index]) or ""
        wrong = next(
            digits[:9] + d for d in "0123456789" if not is_valid_nhs_number(digits[:9] + d)
        )
        row[index] = row[index][:-1] + wrong[-1]
    site.write_grid(path, grid)
    return {}  # a bad check digit loads the row with a warning (issue 12), it quarantines nothing


def other_month(source_month: str) -> Callable[[Site], Quarantine]:
    def build(site: Site) -> Quarantine:
        shutil.copyfile(site.file(RI, source_month), site.file(RI))
        return {}

    return build


def mixed_months(site: Site, later: str) -> Quarantine:
    """Half this month's rows, then as many of a later month's (about 50% in the month)."""
    path = site.file(RI)
    mine, theirs = site.read_grid(path), site.read_grid(site.file(RI, later))
    half = (len(mine) - 1) // 2
    site.write_grid(path, [mine[0], *mine[1 : 1 + half], *theirs[1 : 1 + half]])
    return {}


def one_row_next_month(site: Site) -> Quarantine:
    """A copy of the first row, renamed, starting (and still open) after the month ends."""
    path = site.file(RI)
    grid = site.read_grid(path)
    assert len(grid) - 1 >= 9, "needs 9 rows in the month to stay over 90%"
    extra = list(grid[1])
    extra[_column(site, grid, RI, "incident_id")] = "OUTSIDE-1"
    fmt = site.trust.datetime_formats[0]
    extra[_column(site, grid, RI, "start")] = datetime(2024, 5, 10, 9, 30).strftime(fmt)
    extra[_column(site, grid, RI, "end")] = ""
    site.write_grid(path, [*grid, extra])
    return {len(grid) + 1: "outside_reporting_month"}


def formula_cells(site: Site) -> Quarantine:
    path = site.file(RI)
    grid = site.read_grid(path)
    grid[1][_column(site, grid, RI, "ward_code")] = FORMULA_WARD
    grid[2][_column(site, grid, RI, "intervention_type")] = FORMULA_TYPE
    site.write_grid(path, grid)
    return {3: "intervention_type_invalid"}


def injection_ward_codes(site: Site) -> Quarantine:
    path = site.file(WS)
    grid = site.read_grid(path)
    index = _column(site, grid, WS, "ward_code")
    grid[1][index], grid[2][index] = INJECTION_WARD, TRAVERSAL_WARD
    site.write_grid(path, grid)
    return {}


def renamed(new_name: str) -> Callable[[Site], Quarantine]:
    def build(site: Site) -> Quarantine:
        path = site.file(RI)
        path.rename(path.with_name(new_name))
        return {}

    return build


def not_a_zip(site: Site) -> Quarantine:
    site.file(RI).write_bytes(b"IncidentID,Type\n1,01\n")
    return {}


def encrypted_workbook(site: Site) -> Quarantine:
    """What Excel writes for a password: an OLE compound file holding EncryptionInfo."""
    body = bytearray(4096)
    body[:8] = OLE_MAGIC
    name = "EncryptionInfo".encode("utf-16-le")
    body[1024 : 1024 + len(name)] = name
    site.file(RI).write_bytes(bytes(body))
    return {}


def zip_bomb(site: Site) -> Quarantine:
    """The real workbook plus a 64 MiB member of zeros (about 64 KB compressed, 1000:1)."""
    with zipfile.ZipFile(site.file(RI), "a", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/media/padding.bin", bytes(64 << 20))
    return {}


def header_on_row_one(site: Site) -> Quarantine:
    """The title rows were deleted, so the header is on row 1 instead of the agreed row 3."""
    path = site.file(RI)
    book = openpyxl.load_workbook(path)
    sheet = book[site.trust.sheet or book.sheetnames[0]]
    sheet.delete_rows(1, site.trust.header_row - 1)
    book.save(path)
    return {}


def renamed_sheet(site: Site) -> Quarantine:
    path = site.file(RI)
    book = openpyxl.load_workbook(path)
    book[site.trust.sheet or book.sheetnames[0]].title = "Sheet1"
    book.save(path)
    return {}


def symlink_outside(site: Site) -> Quarantine:
    path = site.file(RI)
    target = site.outside / path.name
    shutil.move(path, target)
    path.symlink_to(target)
    return {}


def oversize(limit: int) -> Callable[[Site], Quarantine]:
    def build(site: Site) -> Quarantine:
        with site.file(RI).open("r+b") as handle:
            handle.truncate(limit + 1)  # sparse: cheap to make, costly only if read
        return {}

    return build


def unchanged(site: Site) -> Quarantine:
    return {}


def touch_same_bytes(site: Site) -> None:
    path = site.file(RI)
    path.write_bytes(path.read_bytes())


def drop_two_rows(site: Site) -> None:
    path = site.file(WS)
    table = pq.read_table(path)
    pq.write_table(table.slice(0, table.num_rows - 2), path)


def unknown_trust_folder(site: Site) -> Quarantine:
    (site.landing / site.trust_code / "2024-01").mkdir(parents=True)
    (site.landing / site.trust_code / "2024-01" / "interventions.csv").write_text("a\n1\n")
    return {}


def bad_month_folder(site: Site) -> Quarantine:
    shutil.copytree(site.landing / site.trust_code / "2024-01", site.folder)
    return {}


def symlinked_trust_folder(site: Site) -> Quarantine:
    target = site.outside / site.trust_code
    (target / "2024-01").mkdir(parents=True)
    (target / "2024-01" / "rnu_ri_202401.parquet").write_bytes(b"PAR1")
    (site.landing / site.trust_code).symlink_to(target, target_is_directory=True)
    return {}
