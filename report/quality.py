"""Data-quality score (DQMI) and resubmission changes on the report's pages.

Per trust (its feedback page): the DQMI of each dataset month by month as a Making Data Count
chart (a run chart below 15 months), the latest month's data items, and what each resubmission
changed ("your resubmission of 2024-03 changed: interventions 41 → 58, ..."). Across trusts (the
submissions page): a league-free summary per month (how many trusts were scored, the median and
the range), which names no trust and ranks none. Sources: mart_data_quality,
mart_data_quality_score, etl_resubmission_change; counts of rows only, no patient data.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from report.html import table
from report.spc_chart import LEGEND, spc_svg
from transforms.spc import DEFAULT_PROFILE, xmr

DATASET_LABEL = {"restrictive_interventions": "Restrictive interventions",
                 "ward_stays": "Ward stays"}  # fmt: skip


def _month(value: object) -> str:
    return f"{pd.Timestamp(str(value)):%Y-%m}"


def score_chart(series: pd.DataFrame, label: str) -> str:
    """A DQMI series (reporting_month, dqmi) as an SPC or run chart: higher is better."""
    series = series.dropna(subset=["dqmi"]).sort_values("reporting_month").reset_index(drop=True)
    if series.empty:
        return ""
    stats = xmr(series["dqmi"].astype(float).tolist(), improvement="up")
    stats = stats.rename(columns={"partition": "limits_partition"})
    stats["reporting_month"] = series["reporting_month"]
    stats["chart_type"] = "run" if len(series) < DEFAULT_PROFILE.minimum_points else "xmr"
    return spc_svg(stats, label)


def quality_section(scores: pd.DataFrame, items: pd.DataFrame, trust: str) -> str:
    mine = scores[scores["trust_code"] == trust]
    if mine.empty:
        return "<h2>Data-quality score</h2><p>No data-quality score yet.</p>"
    parts = [
        "<h2>Data-quality score</h2>",
        '<p class="note">NHS Digital\'s Data Quality Maturity Index (DQMI) method: for each data '
        "item, the share of records that are valid and complete, less defaults (not stated, not "
        "known) above the item's allowed share; the score is the mean over the items times the "
        "coverage. 100 is best.</p>",
        LEGEND,
        '<div class="charts">',
    ]
    for dataset, group in mine.groupby("dataset", sort=True):
        label = DATASET_LABEL.get(str(dataset), str(dataset))
        parts.append(f'<div class="chart-box"><h3>{escape(label)}: DQMI by month</h3>'
                     f"{score_chart(group, f'DQMI, {label}, {trust}')}</div>")  # fmt: skip
    parts.append("</div>")
    latest = mine["reporting_month"].max()
    rows = items[(items["trust_code"] == trust) & (items["reporting_month"] == latest)]
    cells = [
        [DATASET_LABEL.get(r["dataset"], r["dataset"]), r["data_item"], r["records"],
         r["valid_and_complete"], r["defaults"],
         "" if pd.isna(r["default_threshold"]) else f"{r['default_threshold']:.0%}",
         f"{r['defaults_in_excess']:g}", f"{r['item_score']:.1f}"]
        for r in rows.sort_values(["dataset", "data_item"]).to_dict("records")
    ]  # fmt: skip
    parts.append(f"<h3>Data items, {_month(latest)}</h3>")
    parts.append(table(["Dataset", "Data item", "Records", "Valid and complete", "Defaults",
                        "Defaults allowed", "Defaults in excess", "Item score"], cells,
                       numeric={2, 3, 4, 6, 7}))  # fmt: skip
    return "".join(parts)


def change_sentences(changes: pd.DataFrame, trust: str) -> list[str]:
    """One sentence per resubmission (trust, month, time) of what it changed."""
    mine = changes[changes["trust_code"] == trust]
    sentences = []
    for (month, _), group in mine.groupby(["reporting_month", "changed_at"], sort=True):
        moves = ", ".join(
            f"{r['measure'].replace('_', ' ')} {change_number(r['value_before'])} → "
            f"{change_number(r['value_after'])}"
            for r in group.sort_values("measure").to_dict("records")
        )
        sentences.append(f"Your resubmission of {_month(month)} changed: {moves}.")
    return sentences


def change_number(value: object) -> str:
    """A before/after value of a resubmission change: whole numbers bare, else 2 decimals."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "none"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:g}" if number == int(number) else f"{number:.2f}"


def changes_section(changes: pd.DataFrame, trust: str) -> str:
    sentences = change_sentences(changes, trust)
    if not sentences:
        return ""
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return f"<h2>What your resubmissions changed</h2><ul>{items}</ul>"


def quality_summary(scores: pd.DataFrame) -> str:
    """Per month and dataset: trusts scored, median and range of the DQMI (no trust named)."""
    if scores.empty:
        return ""
    cells = []
    for (month, dataset), group in scores.groupby(["reporting_month", "dataset"], sort=True):
        values = group["dqmi"].dropna()
        spread = f"{values.min():.1f} to {values.max():.1f}"
        label = DATASET_LABEL.get(str(dataset), str(dataset))
        cells.append([_month(month), label, len(values), f"{values.median():.1f}", spread])
    return (
        "<h2>Data-quality score across the collaborative</h2>"
        '<p class="note">DQMI (NHS Digital\'s method) per month: how many trusts were scored, '
        "the median and the range. Each trust sees its own score and trend on its feedback "
        "page; no trust is named or ranked here.</p>"
        + table(
            ["Month", "Dataset", "Trusts scored", "Median DQMI", "Range"], cells, numeric={2, 3}
        )
    )
