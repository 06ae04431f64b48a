"""The bad-input corpus: one row per case, each in its own trust-month, expected outcome first.

Trusts are chosen for their dialect: RJ8, RW1, RWX and ZZ1 send comma CSV, RXY tab-separated
text, RWV and RDY Excel workbooks (RWV with its header on row 3), RH5 Parquet, RVN semicolon
CSV in Windows-1252 with RiO numbers as its only patient identifier. Cases sit in the
first four months of 2024, so the row-count history rule (three months needed) cannot interfere.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from tests.hostile.helpers import builders as b
from tests.hostile.helpers import planted as p
from tests.hostile.helpers.corpus import Case, Observed, Site

Check = Callable[[Observed, Site], None]
MAX_FILE_BYTES = 1_000_000  # MHSIP_MAX_FILE_BYTES for the corpus run
RI, WS = b.RI, b.WS
SQL_FILE_NAME = "KMPT_RI_O'Brien; DROP TABLE etl_submission;--.tsv"
NON_ASCII_NAME = "KMPT_RI_202401_Ysbyty Gwynedd – ward Ŵ.tsv"


def _formula_kept_as_text(obs: Observed, site: Site) -> None:
    """Row 2 loads with its formula ward code as text; row 3's detail quotes the formula inertly."""
    assert b.FORMULA_WARD in set(obs.facts.ward_code)
    assert obs.quarantine[3]["intervention_type_invalid"] == (
        "intervention type '=HYPERLINK(\"http://example.invalid/b\"...' is not a national code "
        "(01, 04-17)"
    )


def _extra_column_ignored(obs: Observed, site: Site) -> None:
    assert obs.quarantine == {}
    assert "seen by Dr X" not in obs.facts.astype(str).to_numpy().ravel()


def _stored_verbatim(column: str, values: set[str]) -> Check:
    def check(obs: Observed, site: Site) -> None:
        assert values <= set(obs.facts[column]), f"{values} not stored verbatim in {column}"

    return check


def _file_name_kept(name: str) -> Check:
    def check(obs: Observed, site: Site) -> None:
        assert obs.submissions.file_name.tolist() == [name]

    return check


def _error_named(obs: Observed, site: Site) -> None:
    """The quarantine says which cell holds which error, never that it is blank."""
    details = [d for rules in obs.quarantine.values() for d in rules.values()]
    assert any("holds the Excel error #REF!" in d for d in details), details
    assert any("holds the Excel error #DIV/0!" in d for d in details), details
    assert not any("blank" in d for d in details), details


def _identical_is_noop(obs: Observed, site: Site) -> None:
    assert obs.second_run == [], "an identical resubmission was processed again"
    assert obs.submissions.status.tolist() == ["loaded"]


def _fewer_rows_replace(obs: Observed, site: Site) -> None:
    assert [f["status"] for f in obs.second_run] == ["loaded"]
    by_status = obs.submissions.set_index("status")
    old, new = by_status.loc["superseded"], by_status.loc["loaded"]
    assert new.rows_received == old.rows_received - 2
    assert len(obs.facts) == new.rows_loaded
    assert set(obs.facts.submission_id) == {new.submission_id}


CASES: tuple[Case, ...] = (
    # --- comma CSV ---------------------------------------------------------------------------
    Case("truncated_csv", "RJ8", "2024-01", RI, "CSV cut off part-way through its last row",
         b.truncated_mid_row, "loaded"),
    Case("wrong_delimiter", "RJ8", "2024-02", RI, "CSV separated by ';' instead of ','",
         b.wrong_delimiter, "rejected", "file_unreadable", ("separated by ';'",)),
    Case("utf16_csv", "RJ8", "2024-03", RI, "CSV saved as UTF-16 (Excel 'Unicode text')",
         b.utf16, "rejected", "file_unreadable", ("UTF-16",)),
    Case("formula_like_cells", "RJ8", "2024-04", RI,
         "cells holding =HYPERLINK(...) in the ward code and intervention type",
         b.formula_cells, "loaded", warning="formula_like_cell",
         check=_formula_kept_as_text),
    Case("binary_garbage_csv", "RW1", "2024-01", RI, "random binary bytes named .csv",
         b.binary_garbage, "rejected", "file_unreadable", ("binary",)),
    Case("unknown_encoding", "RW1", "2024-02", RI, "Windows-1252 'é' in a UTF-8 trust's CSV",
         b.cp1252_in_utf8, "rejected", "file_unreadable", ("line 4", "utf-8")),
    Case("zero_byte_file", "RW1", "2024-03", RI, "an empty (0-byte) file", b.zero_bytes,
         "rejected", "file_empty", ("0 bytes",)),
    Case("missing_required_column", "RW1", "2024-04", WS, "ward stays without the ward code",
         b.drop_ward_code, "rejected", "missing_required_columns", ("'ward code'",)),
    Case("duplicate_columns", "RWX", "2024-01", RI, "the ward code column twice",
         b.duplicate_column, "rejected", "duplicate_columns", ("'ward_code'",)),
    Case("unknown_column", "RWX", "2024-02", RI, "an extra free-text column",
         b.unknown_column, "loaded", check=_extra_column_ignored),
    Case("bad_nhs_check_digits", "RWX", "2024-03", RI, "two NHS numbers failing modulus 11",
         b.bad_check_digits, "loaded", warning="nhs_number_invalid"),
    Case("truncated_in_quotes", "RWX", "2024-04", RI, "CSV cut off inside a quoted field",
         b.truncated_in_quotes, "rejected", "file_unreadable", ("EOF inside string",)),
    Case("every_row_other_month", "ZZ1", "2024-01", RI, "March's rows sent as January",
         b.other_month("2024-03"), "rejected", "wrong_reporting_month", ("2024-01",)),
    Case("mixed_months", "ZZ1", "2024-02", RI, "half February's rows, half March's",
         partial(b.mixed_months, later="2024-03"), "rejected", "wrong_reporting_month"),
    Case("one_row_next_month", "ZZ1", "2024-03", RI, "one row starting in May",
         b.one_row_next_month, "loaded"),
    Case("sql_like_ward_codes", "ZZ1", "2024-04", WS,
         "ward codes with quotes, a semicolon and SQL, and a ../ path",
         b.injection_ward_codes, "loaded",
         check=_stored_verbatim("ward_code", {b.INJECTION_WARD, b.TRAVERSAL_WARD})),
    # --- file names (tab-separated trust) ----------------------------------------------------
    Case("non_ascii_file_name", "RXY", "2024-01", RI, "a file name with Welsh letters and a dash",
         b.renamed(NON_ASCII_NAME), "loaded", check=_file_name_kept(NON_ASCII_NAME)),
    Case("path_traversal_file_name", "RXY", "2024-02", RI,
         "a file named KMPT_RI_..\\..\\..\\evil.tsv", b.renamed("KMPT_RI_..\\..\\..\\evil.tsv"),
         None, "unsafe_file_name", ("RXY 2024-02", "path separator")),
    Case("control_char_file_name", "RXY", "2024-03", RI, "a file name with a newline in it",
         b.renamed("KMPT_RI_202403\nERROR forged log line.tsv"), None, "unsafe_file_name",
         ("RXY 2024-03", "\\u000a", "control or invisible")),
    Case("sql_like_file_name", "RXY", "2024-04", RI, f"a file named {SQL_FILE_NAME}",
         b.renamed(SQL_FILE_NAME), "loaded", check=_file_name_kept(SQL_FILE_NAME)),
    # --- Excel -------------------------------------------------------------------------------
    Case("xlsx_not_a_zip", "RWV", "2024-01", RI, "CSV text named .xlsx", b.not_a_zip,
         "rejected", "file_unreadable", ("not an Excel .xlsx workbook",)),
    Case("xlsx_password_protected", "RWV", "2024-02", RI,
         "an encrypted workbook (OLE file with EncryptionInfo)", b.encrypted_workbook,
         "rejected", "file_unreadable", ("password-protected",)),
    Case("xlsx_zip_bomb", "RWV", "2024-03", RI, "a workbook with 64 MiB of zeros inside",
         b.zip_bomb, "rejected", "file_too_large", ("when unzipped",)),
    Case("header_in_wrong_row", "RWV", "2024-04", RI, "header on row 1, agreed row 3",
         b.header_on_row_one, "rejected", "missing_required_columns", ("row 3",)),
    Case("wrong_sheet", "RDY", "2024-01", RI, "the sheet renamed from 'Data' to 'Sheet1'",
         b.renamed_sheet, "rejected", "file_unreadable", ("'Data'", "'Sheet1'")),
    # --- landing zone ------------------------------------------------------------------------
    Case("symlink_outside_landing", "RDY", "2024-02", RI,
         "the file is a symbolic link to a file outside the landing zone", b.symlink_outside,
         None, "symlink_outside_landing", ("RDY 2024-02", "never followed")),
    Case("over_size_file", "RDY", "2024-03", RI,
         f"a file of {MAX_FILE_BYTES + 1:,} bytes, limit {MAX_FILE_BYTES:,}",
         b.oversize(MAX_FILE_BYTES), None, "file_too_large", ("MHSIP_MAX_FILE_BYTES",)),
    Case("identical_resubmission", "RDY", "2024-04", RI, "the same bytes sent again",
         b.unchanged, "loaded", check=_identical_is_noop, resubmit=b.touch_same_bytes),
    Case("resubmission_fewer_rows", "RH5", "2024-01", WS,
         "a second version with two rows fewer", b.unchanged, "loaded",
         check=_fewer_rows_replace, resubmit=b.drop_two_rows),
    Case("unknown_trust_folder", "Q1'; DROP TABLE etl_submission;--", "", None,
         "a folder that is not an ODS code, named like SQL", b.unknown_trust_folder, None,
         "unknown_trust_folder", ("not an ODS code",)),
    Case("month_13_folder", "RJ8", "2024-13", None, "a month folder 2024-13",
         b.bad_month_folder, None, "bad_month_folder", ("'2024-13' is not a YYYY-MM month",)),
    Case("symlinked_trust_folder", "RNU", "", None,
         "the trust folder is a symbolic link to a folder outside", b.symlinked_trust_folder,
         None, "symlink_outside_landing", ("never followed",)),
    # --- identifiers in the wrong column -----------------------------------------------------
    Case("nhs_number_in_ward_code", "RJ8", "2024-01", WS,
         "a patient's NHS number in the ward code column", p.nhs_number_in_ward_code, "loaded"),
    Case("dashed_nhs_number_in_incident_id", "RVN", "2024-01", RI,
         "an NHS number written 943-476-5919 as the incident id",
         p.dashed_nhs_number_in_incident_id, "loaded"),
    Case("local_id_in_reason", "RVN", "2024-02", RI,
         "another patient's RiO number in the reason column", p.local_id_in_reason, "loaded",
         warning="identifier_withheld"),
    # --- Excel's traps -----------------------------------------------------------------------
    Case("xlsx_merged_header", "RWV", "2024-01", WS,
         "the stay start and stay end headings merged into one cell", p.xlsx_merged_header,
         "rejected", "file_unreadable", ("merged cells",)),
    Case("xlsx_error_cells", "RDY", "2024-01", WS,
         "#REF! in a stay end and #DIV/0! in a stay start", p.xlsx_error_cells, "loaded",
         check=_error_named),
    # --- plausibility ------------------------------------------------------------------------
    Case("end_in_year_9999", "RVN", "2024-03", RI, "an end of 31/12/9999 (a placeholder)",
         p.end_in_year_9999, "loaded"),
    Case("end_in_2099_born_in_1850", "RH5", "2024-04", RI,
         "an end in 2099 (after the file arrived) and a date of birth in 1850, typed Parquet",
         p.end_in_2099_born_in_1850, "loaded", warning="age_over_120"),
    Case("six_hundred_columns", "RVN", "2024-04", RI, "a header with 600 extra columns",
         p.six_hundred_columns, "rejected", "too_many_columns", ("MHSIP_MAX_COLUMNS",)),
    # --- what the landing scan does not read, reported ---------------------------------------
    Case("fifo_named_like_extract", "RH5", "2024-02", RI,
         "a named pipe (FIFO) in place of the extract, with its name",
         p.fifo_named_like_an_extract, None, "not_a_regular_file", ("not a regular file",)),
    Case("extract_in_subfolder", "RH5", "2024-03", RI,
         "the extract one folder too deep (a subfolder of the month folder)",
         p.extract_in_a_subfolder, None, "subfolder_in_month_folder", ("'extra'",)),
    Case("file_in_trust_folder", "RVN", "", None,
         "an extract directly in the trust folder, outside any month folder",
         p.file_in_trust_folder, None, "file_outside_month_folder", ("outside a month folder",)),
)  # fmt: skip

TRUSTS = ("RJ8", "RW1", "RWX", "ZZ1", "RXY", "RWV", "RDY", "RH5", "RVN")
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")
