"""Render docs/reliability.md from the corpus run's observed outcomes (never written by hand)."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.helpers.corpus import Case, Observed, outcome

DOC = Path(__file__).resolve().parents[3] / "docs" / "reliability.md"
WRITE_ENV = "MHSIP_WRITE_RELIABILITY"
_MAX_MESSAGE = 220

PROMISES = """\
## What the pipeline promises

- **A bad file never stops the run.** Every submission is loaded, rejected as a whole
  (`etl_submission.status = 'rejected'` with `rejection_rule` and `rejection_reason`), or
  loaded with rows quarantined (`etl_quarantine`: source row, rule, detail). Every other
  trust-month of the same run loads as usual.
- **Nothing is lost.** For each loaded file, rows received = rows loaded + rows quarantined; a
  file that cannot become a submission (a link, an unsafe name, an over-size file, a folder that
  is not a trust or a month) is left in place and reported in the run's `problems` on every run
  until it is fixed.
- **Messages are actionable and safe.** Each names the trust, month, file and, where there is
  one, the row and the rule, and never quotes an NHS number, a local patient id or a date of
  birth; names are shown with control characters escaped so they cannot forge log lines.
- **Hostile files are refused before they are expanded.** Files over `MHSIP_MAX_FILE_BYTES` are
  refused from their listed size, without being read; workbooks whose declared or real unzipped
  size exceeds the reader's limit (`transforms.read_guards.ReadLimits`: 256 MiB, or a member 200
  times its compressed size) are not opened, nor Parquet files declaring more; encrypted
  workbooks, UTF-16 text and binary files sent as CSV are named as such.
- **The landing zone is not trusted.** Symbolic links are never followed; file and folder names
  with path separators or control characters are not read; only folders named by an ODS code in
  `config/trusts` and a real `YYYY-MM` month are read.
- **Values are data, never code.** Text from files and folder names reaches the warehouse through
  parameters and Arrow, so quotes, semicolons and `../` are stored as the text they are. Cells
  that a spreadsheet would run as a formula are stored as text and warned about
  (`formula_like_cell`); exports to spreadsheets must escape them.
- **Resubmissions.** The same bytes again change nothing; changed bytes replace the whole
  trust-month and the earlier version stays in `etl_submission` as `superseded`.
- **Identifiers and keys.** Outside demo mode the pipeline refuses to run without
  `MHSIP_PSEUDONYMISATION_KEY` (exit status 2). Neither the key nor any NHS number or local
  patient id from the input appears in any file under `MHSIP_HOME` outside the raw archive (logs,
  Prefect's database and artifacts, warehouse, lake); pseudonyms are stable for one key and
  differ between keys (`tests/hostile/test_identifiers.py`).
- **Identifiers in the wrong column.** Every cell of every other column is screened for
  NHS-number-like values (ten digits, any separators, any check digit) and for the trust's
  `local_patient_id_pattern`: in a key column (incident, intervention or ward stay id, ward code)
  the row is quarantined (`identifier_in_key_column`), elsewhere the value is withheld
  (`identifier_withheld`). Every stored sentence goes through the same screening; the planted
  values are searched for in every file under `MHSIP_HOME` but the archive, decoded too.
- **The wrong key stops the run.** The warehouse records a fingerprint of the key
  (`etl_key_check`); a run with another key exits 2 with one line and changes nothing
  (`tests/flows/test_key_check.py`).
- **Configuration fails at once.** A warehouse URL that is neither DuckDB nor PostgreSQL, an
  unwritable `MHSIP_HOME` or folder, a missing landing zone, a trust date format that does not
  read back, an unclosed `[` in a file pattern or a bad regular expression: exit 2, one line,
  nothing written (`tests/cli/test_preflight.py`).
- **Excel and absurd values.** Merged, blank or error-valued headings reject the file naming the
  cells; an error value in a data cell quarantines its row (`excel_error_cell`); a duration over
  its family's bound in `config/collaborative.yaml` (`plausibility`; by default restraint over 7
  days, anything over a year: `duration_implausible`), an end after the day the file arrived
  (`end_after_arrival`) and a start before 1900 (`start_before_1900`) are quarantined; a date of
  birth before 1900 is a demographic field, so the row loads with age band Unknown and a warning
  (`age_over_120`); a header over `MHSIP_MAX_COLUMNS` columns is refused before its rows are read
  (`too_many_columns`).
- **Randomised nights.** `benchmarks/soak.py` plays nights of new and resubmitted months with
  hostile files and random faults (SIGKILL by timer or failpoint, overlapping runs, a full disk
  where a tmpfs can be mounted, and on a throw-away PostgreSQL cluster a server crash between or
  during runs); after every night the warehouse and lake equal those of a second home that
  played the same arrivals without faults (`tests/flows/test_soak.py` plays two nights on each
  warehouse and two on a full disk; docs/operations.md gives the long soak's figures).
- **A full disk.** A nightly that runs out of space (MHSIP_HOME on a small tmpfs: creating the
  warehouse, building Prefect's database, publishing the BI copy) exits 1 with one `mhsip: ` line
  naming the disk, and once there is room the next nightly leaves the warehouse and lake of a
  home that never ran out (`tests/flows/test_disk_full.py`).
"""


def _cell(text: str) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= _MAX_MESSAGE else flat[: _MAX_MESSAGE - 3] + "..."


def render(cases: tuple[Case, ...], observed: dict[str, Observed]) -> str:
    lines = [
        "# Reliability: what happens to bad input",
        "",
        "Generated by `tests/hostile/test_corpus.py` from one run of the real nightly flow over a",
        "landing zone holding every case below (plus a second run for the resubmissions); do not",
        "edit by hand. Regenerate with",
        "`MHSIP_WRITE_RELIABILITY=1 pytest tests/hostile/test_corpus.py`.",
        "",
        PROMISES,
        f"## The bad-input corpus ({len(cases)} cases, observed)",
        "",
        "| case | trust-month | what was sent | outcome | rules | message |",
        "|---|---|---|---|---|---|",
    ]
    for case in cases:
        what, rules, message = outcome(observed[case.name])
        where = " ".join(p for p in (case.trust, case.month, case.dataset or "") if p)
        lines.append(
            f"| `{case.name}` | {_cell(where)} | {_cell(case.sent)} | {what} | "
            f"{_cell(rules)} | {_cell(message)} |"
        )
    return "\n".join(lines) + "\n"
