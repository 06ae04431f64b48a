"""The catalogue of validation rules: the names a trust reads in its feedback.

One entry per rule of the extract specification (design.md §8) and the validation policy
(§4). A rule's `severity` says what happens
when it breaks: `reject_file` (nothing of the file is loaded; the previous good version stays),
`quarantine_row` (that row goes to `etl_quarantine`, the rest load) or `warn` (everything
loads; the trust is told). `dataset` is None when the rule applies to both datasets. The
`explanation` is one plain-English sentence saying what is wrong and how to fix it; it is shown
verbatim in feedback, so it never names a specific row or value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from expectations.findings import Severity
from transforms.canonical import Dataset

RI: Final = "restrictive_interventions"
WS: Final = "ward_stays"


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    dataset: Dataset | None
    explanation: str


_CATALOGUE: Final[tuple[Rule, ...]] = (
    # --- file level: reject the whole submission -------------------------------------------
    Rule("file_unreadable", "reject_file", None,
         "The file could not be read in the format set for your trust (CSV, Excel or Parquet); "
         "send it again in that format, or ask us to change your configuration."),
    Rule("file_empty", "reject_file", None,
         "The file has no header row at all; send the file with its column headings."),
    Rule("duplicate_columns", "reject_file", None,
         "Two columns have the same heading; remove or rename one so each field appears once."),
    Rule("missing_required_columns", "reject_file", None,
         "A required column is missing or its heading does not match your agreed layout; "
         "add the column or tell us its new heading."),
    Rule("wrong_reporting_month", "reject_file", None,
         "Fewer than 90% of rows belong to the month this file was sent for; check that the "
         "extract was run for the right month and placed in the right folder."),
    Rule("implausible_row_count", "reject_file", None,
         "The number of rows is under 20% or over 500% of your usual monthly volume; check the "
         "extract is complete and not duplicated, or tell us if the change is real."),
    Rule("duplicate_of_other_month", "reject_file", None,
         "This file is identical to one already loaded for another month; send the extract "
         "for this month."),
    Rule("file_too_large", "reject_file", None,
         "The file is larger than the pipeline accepts, or would expand beyond its limit when "
         "unzipped, so it was not opened; send the month's extract only, without padding."),
    Rule("too_many_columns", "reject_file", None,
         "The header has far more columns than any extract (over the configured limit), so the "
         "file was not read; send the agreed columns only."),
    Rule("unsafe_file_name", "reject_file", None,
         "The file or folder name contains a path separator or control or invisible "
         "characters, so it was not read; rename it with plain letters, digits, spaces and "
         "'-', '_' or '.'."),
    Rule("symlink_outside_landing", "reject_file", None,
         "The file is a link to a place outside the landing zone; links are never followed, "
         "so put the file itself in the month's folder."),
    Rule("symlink_not_followed", "reject_file", None,
         "The file is a link to another file in the landing zone; links are never followed, "
         "so put the file itself in the month's folder."),
    Rule("empty_ward_stays", "reject_file", WS,
         "The ward stays file has no rows, so no bed days can be counted; send the stays that "
         "overlap the month (a nil return is only valid for interventions)."),
    # --- row level: quarantine the row ----------------------------------------------------
    Rule("incident_id_missing", "quarantine_row", RI,
         "The incident identifier is blank; fill it in so interventions can be grouped into "
         "incidents."),
    Rule("intervention_id_missing", "quarantine_row", RI,
         "The intervention identifier is blank; fill it in (unique within the incident)."),
    Rule("duplicate_intervention", "quarantine_row", RI,
         "The same incident and intervention identifiers appear on an earlier row; the first "
         "is kept, remove or correct the repeats."),
    Rule("ward_stay_id_missing", "quarantine_row", WS,
         "The ward stay identifier is blank; fill it in."),
    Rule("duplicate_ward_stay", "quarantine_row", WS,
         "The same ward stay identifier appears on an earlier row; the first is kept, remove "
         "or correct the repeats."),
    # Demographic and location fields never remove a row (corrected extract specification,
    # design.md §8): the field becomes Unknown, the row is loaded and counted, the trust is told.
    Rule("patient_id_missing", "warn", None,
         "Neither a valid NHS number nor a local patient identifier is given, so the row is "
         "counted as an intervention or bed days but not towards people; supply at least one."),
    Rule("nhs_number_invalid", "warn", None,
         "The NHS number fails the modulus 11 check digit and is treated as absent (the local "
         "patient identifier identifies the person); correct it or leave it blank."),
    Rule("date_of_birth_missing_or_invalid", "warn", None,
         "The date of birth is blank or not a date, so the row is loaded with age band Unknown; "
         "supply it in your agreed date format."),
    Rule("date_of_birth_after_event", "warn", None,
         "The date of birth is after the intervention or stay, so the row is loaded with age "
         "band Unknown; check the date of birth."),
    Rule("age_over_120", "warn", None,
         "The date of birth gives an age over 120, so the row is loaded with age band Unknown; "
         "check the date of birth."),
    Rule("ethnic_category_invalid", "warn", None,
         "The ethnic category is blank or not an NHS Ethnic Category code (A-S, Z, 99) after "
         "mapping and is loaded as Unknown; record Z if not stated, or tell us how to map your "
         "local value."),
    Rule("ward_code_missing", "warn", None,
         "The ward code is blank, so the row counts in your trust's totals but in no ward's "
         "(ward Unknown); fill it in."),
    Rule("intervention_type_invalid", "quarantine_row", RI,
         "The intervention type is blank, retired (02, 03) or not a national code (01, 04-17) "
         "after mapping; use a current code or tell us how to map your local value."),
    Rule("start_missing_or_invalid", "quarantine_row", RI,
         "The intervention start is blank or not a date and time; supply it in your agreed "
         "format."),
    Rule("end_invalid", "quarantine_row", RI,
         "The intervention end is given but is not a date and time; correct it, or leave it "
         "blank while the intervention is ongoing."),
    Rule("end_before_start", "quarantine_row", RI,
         "The intervention ends before it starts; check both date-times."),
    Rule("outside_reporting_month", "quarantine_row", RI,
         "The intervention neither starts nor ends in the reporting month and was not open at "
         "its end; send it with the month it belongs to."),
    Rule("stay_start_missing_or_invalid", "quarantine_row", WS,
         "The ward stay start date is blank or not a date; supply it in your agreed format."),
    Rule("stay_start_after_month_end", "quarantine_row", WS,
         "The ward stay starts after the reporting month; send it with the month it belongs to."),
    Rule("stay_end_invalid", "quarantine_row", WS,
         "The ward stay end is given but is not a date; correct it, or leave it blank while the "
         "patient is still on the ward."),
    Rule("stay_end_before_stay_start", "quarantine_row", WS,
         "The ward stay ends before it starts; check both dates."),
    Rule("stay_end_before_month_start", "quarantine_row", WS,
         "The ward stay ended before the reporting month began; send only stays that overlap "
         "the month."),
    Rule("identifier_in_key_column", "quarantine_row", None,
         "An identifier column (incident, intervention or ward stay id, or ward code) holds "
         "what looks like an NHS number or a local patient id, so the row cannot be loaded "
         "without storing it; check the extract's columns are in the agreed order."),
    Rule("start_before_1900", "quarantine_row", RI,
         "The intervention start is before 1900, which cannot be right; check the start "
         "date-time (a year typed with two digits, or a placeholder date)."),
    Rule("duration_implausible", "quarantine_row", RI,
         "The intervention lasts longer than is possible for its type (by default a physical or "
         "chemical restraint over 7 days, anything over a year); check the end date-time (a "
         "placeholder such as 9999-12-31?) or leave it blank while ongoing."),
    Rule("end_after_arrival", "quarantine_row", RI,
         "The intervention ends after the day the file arrived, which cannot have happened yet; "
         "check the end date-time (a placeholder or a mistyped year?) or leave it blank while "
         "ongoing."),
    Rule("excel_error_cell", "quarantine_row", None,
         "A cell holds an Excel error value (#REF!, #DIV/0!, #VALUE!, #N/A, ...) from a formula "
         "that failed, so the row's value is unknown; fix the formula or type the value."),
    # --- warnings: load, but tell the trust -------------------------------------------------
    Rule("gender_unrecognised", "warn", None,
         "The stated gender is not a Person Stated Gender code (1, 2, 9, X) after mapping and "
         "is loaded as X (not known); use the national codes or tell us how to map yours."),
    Rule("gender_identity_unrecognised", "warn", None,
         "The gender identity is not a Gender Identity code (1-4, Z, X) after mapping and is "
         "loaded as X (not known); use the national codes or tell us how to map yours."),
    Rule("lsoa_malformed", "warn", None,
         "The LSOA is not a code like E01012345 and is loaded as blank, so no deprivation "
         "decile can be given; send the 2011 or 2021 LSOA code."),
    Rule("reason_unrecognised", "warn", RI,
         "The reason is not a Restrictive Intervention Reason code (10-19, 98, 99) and is "
         "loaded as blank; use the national codes or tell us how to map yours."),
    Rule("flag_unrecognised", "warn", None,
         "An injury, post-incident review or learning disability/autism flag is not Y or N "
         "and is loaded as blank; send Y or N."),
    Rule("restraint_over_24_hours", "warn", RI,
         "A physical or chemical restraint lasts longer than 24 hours (the collaborative's "
         "warning bound unless it set another); check the start and end date-times (this is "
         "loaded, but is very unusual)."),
    Rule("ethnicity_not_stated_high", "warn", None,
         "More rows than usual have ethnicity not stated (Z) or not known (99), which weakens "
         "the equity analysis; check recording on the wards."),
    Rule("unmapped_local_code", "warn", None,
         "A local value has no mapping to a national code; tell us what it means so it can be "
         "added to your trust's mapping."),
    Rule("formula_like_cell", "warn", None,
         "Some cells start with '=', '+', '-' or '@', which a spreadsheet would run as a "
         "formula; they are loaded and shown as plain text, but check how the extract is made."),
    Rule("identifier_withheld", "warn", None,
         "A column that should not hold patient identifiers has what looks like an NHS number "
         "or a local patient id; the value was withheld (loaded as blank or unknown) and "
         "never stored; check the extract's columns are in the agreed order."),
    Rule("sudden_drop_to_zero", "warn", RI,
         "This is a nil return (no interventions) although recent months had interventions; "
         "confirm the month really had none and the extract was not empty by mistake."),
    # checked per trust-month over both datasets when the marts are built (mart_trust_month)
    Rule("intervention_without_ward_stay", "warn", RI,
         "An intervention has no ward stay of the same patient that overlaps its start in your "
         "ward stays file for the month, so it has no bed days behind it; check the patient "
         "identifiers and stay dates agree between the two files."),
    Rule("intervention_longer_than_stay", "warn", RI,
         "A seclusion or segregation does not fit inside the patient's ward stay(s) in your ward "
         "stays file for the month: it starts before the stay or goes on after it ends (or "
         "across a gap between two stays); check the episode's start and end and the stay "
         "dates (it is loaded, but NHS Digital leaves such a duration out of its averages)."),
)  # fmt: skip

RULES: Final[dict[str, Rule]] = {rule.name: rule for rule in _CATALOGUE}


def rules_for(dataset: Dataset, severity: Severity | None = None) -> list[Rule]:
    """Rules that apply to `dataset` (optionally of one severity), in catalogue order."""
    return [
        r
        for r in _CATALOGUE
        if r.dataset in (None, dataset) and (severity is None or r.severity == severity)
    ]


def rules_markdown() -> str:
    """The catalogue as a Markdown table (rule, severity, dataset, explanation) for docs."""
    lines = ["| rule | severity | dataset | what is wrong and how to fix it |", "|---|---|---|---|"]
    for r in _CATALOGUE:
        dataset = r.dataset or "both"
        lines.append(f"| `{r.name}` | {r.severity} | {dataset} | {r.explanation} |")
    return "\n".join(lines) + "\n"
