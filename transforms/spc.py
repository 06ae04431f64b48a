"""Making Data Count XmR charts: limits, special-cause rules, point types and icons.

Grain: one row per point of one series (e.g. one trust's monthly interventions per 1,000 OBD),
in time order; the caller supplies the points already sorted and without gaps or missing values
(ghosting is not supported: drop a point rather than pass NaN).

Rule profiles (domain.md §4.3, §4.5 ✅), chosen per collaborative and per trust:
- `nhse_sql_v2_6` (the default): NHS England's "SPC Charts SQL Query v2.6" (10 January 2024):
  shift 6, trend 6 (endpoints included), SPC shown from 13 points (else a run chart), a
  partition warning under 12 points, points beyond the limits count towards two-in-three;
- `nhsrplotthedots`: NHSRplotthedots and the SQL before v2.6 (v2.4/v2.5): shift 7, trend 7,
  SPC from 15 points, two-in-three only between the 2σ line and the limit ("close to limits"),
  the short-partition warning below 13 points (its code's test).
Common to both: mean and MR̄ per partition, limits mean ± 2.66·MR̄, 2σ lines mean ± 1.7733·MR̄,
no moving-range outlier screening, two-in-three with all three points on that side of the mean;
a run chart has no limits, no flags and no icons. Limits may be negative; they are not floored
at 0.

Choices where the sources leave room (each also stated where it is implemented):
- two-in-three flags only the points beyond the 2σ line (as the SQL does), not the third point;
- a point flagged on both sides (e.g. part of a shift above the mean and of a decreasing trend)
  resolves to improvement, MDC-SQL's `MetricConflictRule = Improvement`; with direction
  "neither" it resolves to the side of the mean the point is on (high when on the mean);
- `signal` is the highest-precedence rule (outside limits > trend > two-in-three > shift) among
  the rules on the side that `point_type` reports, so the two never disagree.
`variation_icon` and `assurance_icon` summarise a whole series from its last point, for
`mart_spc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

Improvement = Literal["down", "up", "neither"]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
XmrColumns = dict[str, "FloatArray | BoolArray | npt.NDArray[np.int64] | list[str | None]"]

LIMIT_FACTOR: Final[float] = 2.66
TWO_SIGMA_FACTOR: Final[float] = 2.66 * 2.0 / 3.0  # 1.7733
RULES: Final[tuple[str, ...]] = ("outside_limits", "trend", "two_in_three", "shift")
"""Rule names in label precedence order (domain.md §4.3, [PTD])."""


@dataclass(frozen=True)
class RuleProfile:
    """The settings that differ between Making Data Count tools and versions."""

    name: str
    shift_points: int
    trend_points: int
    minimum_points: int  # fewer points: a run chart
    partition_warning_points: int  # a partition (or baseline) with fewer points: trial limits
    beyond_limits_count_in_two_in_three: bool


NHSE_SQL_V2_6: Final = RuleProfile("nhse_sql_v2_6", 6, 6, 13, 12, True)
NHSRPLOTTHEDOTS: Final = RuleProfile("nhsrplotthedots", 7, 7, 15, 13, False)
PROFILES: Final[dict[str, RuleProfile]] = {p.name: p for p in (NHSE_SQL_V2_6, NHSRPLOTTHEDOTS)}
DEFAULT_PROFILE: Final = NHSE_SQL_V2_6


def _partitions(n: int, recalculate_at: Sequence[int]) -> npt.NDArray[np.int64]:
    starts = sorted(set(recalculate_at))
    if any(not 0 < s < n for s in starts):
        raise ValueError(f"recalculate_at positions must be within 1..{n - 1}, got {starts}")
    part = np.zeros(n, dtype=np.int64)
    for s in starts:
        part[s:] += 1
    return part


def _runs(keys: npt.NDArray[np.int64], min_length: int) -> BoolArray:
    """True where a point belongs to a run of ≥ min_length equal, non-zero consecutive keys."""
    flagged = np.zeros(len(keys), dtype=bool)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= min_length:
                flagged[start:i] = True
            start = i
    return flagged


def _shift(x: FloatArray, mean: FloatArray, part: npt.NDArray[np.int64], points: int) -> BoolArray:
    """Runs within a partition on one side of the mean; a point on the mean breaks the run.

    Returns a (2, n) array: row 0 above the mean, row 1 below."""
    side = np.sign(x - mean).astype(np.int64)
    keys = side * (part + 1)  # 0 on the mean; otherwise distinct per partition and side
    run = _runs(keys, points)
    return np.vstack([run & (side > 0), run & (side < 0)])


def _trend(x: FloatArray, points: int) -> BoolArray:
    """Strictly monotone runs of ≥ `points` points (endpoints included), across partitions.

    A difference is attributed to both of its points; equal consecutive values break the run.
    Returns (2, n): row 0 increasing, row 1 decreasing.
    """
    n = len(x)
    out = np.zeros((2, n), dtype=bool)
    step = np.sign(np.diff(x)).astype(np.int64)
    for row, direction in enumerate((1, -1)):
        in_run = _runs(np.where(step == direction, 1, 0), points - 1)
        for i in np.flatnonzero(in_run):
            out[row, i] = out[row, i + 1] = True
    return out


def _two_in_three(
    x: FloatArray,
    mean: FloatArray,
    mr_bar: FloatArray,
    part: npt.NDArray[np.int64],
    beyond_limits_count: bool = True,
) -> BoolArray:
    """2 or 3 of 3 consecutive points beyond the same 2σ line, all 3 on that side of the mean.

    Windows do not cross a partition. Only the points beyond 2σ are flagged (as in MDC-SQL);
    "beyond" is strict. A point beyond the process limit counts when `beyond_limits_count`
    (SQL v2.6), and not otherwise (NHSRplotthedots' "close to limits"). Returns (2, n).
    """
    n = len(x)
    out = np.zeros((2, n), dtype=bool)
    with np.errstate(invalid="ignore"):
        beyond = np.vstack(
            [x > mean + TWO_SIGMA_FACTOR * mr_bar, x < mean - TWO_SIGMA_FACTOR * mr_bar]
        )
        if not beyond_limits_count:
            beyond &= np.vstack(
                [x <= mean + LIMIT_FACTOR * mr_bar, x >= mean - LIMIT_FACTOR * mr_bar]
            )
        side = np.vstack([x > mean, x < mean])
    for i in range(n - 2):
        window = slice(i, i + 3)
        if part[i] != part[i + 2]:
            continue
        for row in (0, 1):
            if side[row, window].all() and beyond[row, window].sum() >= 2:
                out[row, window] |= beyond[row, window]
    return out


def _limits(
    x: FloatArray, part: npt.NDArray[np.int64], baseline_points: int | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-point moving range, and each partition's mean and MR̄ spread over its points."""
    n = len(x)
    mr = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    mr_bar = np.full(n, np.nan)
    for p in np.unique(part):
        idx = np.flatnonzero(part == p)
        seg_mr = np.abs(np.diff(x[idx]))
        mr[idx[1:]] = seg_mr
        basis = len(idx)
        if p == 0 and baseline_points is not None:
            basis = min(baseline_points, len(idx))
        mean[idx] = x[idx[:basis]].mean()
        mr_bar[idx] = seg_mr[: basis - 1].mean() if basis > 1 else np.nan
    return mr, mean, mr_bar


def _point_types(
    x: FloatArray, mean: FloatArray, high: BoolArray, low: BoolArray, improvement: Improvement
) -> list[str]:
    types: list[str] = []
    for xi, mi, hi, lo in zip(x, mean, high, low, strict=True):
        if not (hi or lo):
            types.append("common_cause")
        elif improvement == "neither":
            is_high = hi and (not lo or xi >= mi)
            types.append("special_cause_neutral_high" if is_high else "special_cause_neutral_low")
        elif (improvement == "up" and hi) or (improvement == "down" and lo):
            types.append("special_cause_improvement")  # conflict rule: improvement wins
        else:
            types.append("special_cause_concern")
    return types


def _chosen_side(point_type: str, improvement: Improvement) -> int:
    """0 = high side, 1 = low side, as reported by the point type."""
    if point_type.endswith("_high"):
        return 0
    if point_type.endswith("_low"):
        return 1
    is_improvement = point_type == "special_cause_improvement"
    return 0 if is_improvement == (improvement == "up") else 1


def xmr_columns(
    values: Sequence[float],
    *,
    improvement: Improvement = "down",
    baseline_points: int | None = None,
    recalculate_at: Sequence[int] = (),
    target: float | None = None,
    profile: RuleProfile = DEFAULT_PROFILE,
    shift_points: int | None = None,
    trend_points: int | None = None,
    minimum_points: int | None = None,
) -> XmrColumns:
    """`xmr`'s columns as arrays and lists (no DataFrame: a mart building thousands of series
    collects these and makes one frame, which is most of its time saved)."""
    if improvement not in ("down", "up", "neither"):
        raise ValueError(f"improvement must be 'down', 'up' or 'neither', got {improvement!r}")
    if baseline_points is not None and baseline_points < 2:
        raise ValueError("baseline_points must be at least 2")
    shift_points = profile.shift_points if shift_points is None else shift_points
    trend_points = profile.trend_points if trend_points is None else trend_points
    minimum_points = profile.minimum_points if minimum_points is None else minimum_points
    x = np.asarray(values, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError("values must be finite; drop missing points before charting")
    n = len(x)
    part = _partitions(n, recalculate_at)
    mr, mean, mr_bar = _limits(x, part, baseline_points)
    run_chart = n < minimum_points
    nan = np.full(n, np.nan)
    upper = nan if run_chart else mean + LIMIT_FACTOR * mr_bar
    lower = nan if run_chart else mean - LIMIT_FACTOR * mr_bar
    upper_2s = nan if run_chart else mean + TWO_SIGMA_FACTOR * mr_bar
    lower_2s = nan if run_chart else mean - TWO_SIGMA_FACTOR * mr_bar

    sided = {rule: np.zeros((2, n), dtype=bool) for rule in RULES}
    if not run_chart:
        with np.errstate(invalid="ignore"):
            sided["outside_limits"] = np.vstack([x > upper, x < lower])
        sided["trend"] = _trend(x, trend_points)
        sided["two_in_three"] = _two_in_three(
            x, mean, mr_bar, part, profile.beyond_limits_count_in_two_in_three
        )
        sided["shift"] = _shift(x, mean, part, shift_points)
    high = np.logical_or.reduce([flags[0] for flags in sided.values()])
    low = np.logical_or.reduce([flags[1] for flags in sided.values()])
    types = _point_types(x, mean, high, low, improvement)

    signals: list[str | None] = []
    for i, point_type in enumerate(types):
        side = None if point_type == "common_cause" else _chosen_side(point_type, improvement)
        signals.append(next((r for r in RULES if side is not None and sided[r][side, i]), None))

    columns: XmrColumns = {
        "value": x,
        "partition": part,
        "mean": mean,
        "mr": mr,
        "mr_bar": mr_bar,
        "upper_limit": upper,
        "lower_limit": lower,
        "upper_2sigma": upper_2s,
        "lower_2sigma": lower_2s,
        "target": np.full(n, np.nan if target is None else float(target)),
    }
    for rule in RULES:
        columns[f"rule_{rule}"] = sided[rule][0] | sided[rule][1]
    columns["special_cause_high"] = high
    columns["special_cause_low"] = low
    columns["special_cause"] = high | low
    columns["signal"] = signals
    columns["point_type"] = [None if run_chart else t for t in types]
    columns["partition_warning"] = _short_partitions(part, baseline_points, profile)
    return columns


def xmr(
    values: Sequence[float],
    *,
    improvement: Improvement = "down",
    baseline_points: int | None = None,
    recalculate_at: Sequence[int] = (),
    target: float | None = None,
    profile: RuleProfile = DEFAULT_PROFILE,
    shift_points: int | None = None,
    trend_points: int | None = None,
    minimum_points: int | None = None,
) -> pd.DataFrame:
    """XmR statistics and Making Data Count signals, one row per input point, in input order.

    `profile` sets the rules (default NHS England SQL v2.6); `shift_points`, `trend_points` and
    `minimum_points` override it one by one. `partition_warning` is true on every point of a
    partition (or of a baseline) with fewer than the profile's partition-warning points.

    `recalculate_at` holds 0-based positions that start a new partition (mean and MR̄ recomputed
    from that point on). `baseline_points` fixes the first partition's mean and MR̄ from its first
    N points. Shift and two-in-three are evaluated within a partition, trend across partitions.
    With fewer than `minimum_points` points the result is a run chart: mean and moving ranges
    are kept, limits are NaN, no rule fires and `point_type` is None. `target` is copied into a
    `target` column for BI; use `assurance_icon` to compare it with the limits.
    """
    columns = xmr_columns(
        values, improvement=improvement, baseline_points=baseline_points,
        recalculate_at=recalculate_at, target=target, profile=profile, shift_points=shift_points,
        trend_points=trend_points, minimum_points=minimum_points,
    )  # fmt: skip
    return pd.DataFrame(
        {k: pd.Series(v, dtype=object) if isinstance(v, list) else v for k, v in columns.items()}
    )


def _short_partitions(
    part: npt.NDArray[np.int64], baseline_points: int | None, profile: RuleProfile
) -> BoolArray:
    """True on the points of a partition whose limits rest on too few points (trial limits)."""
    out = np.zeros(len(part), dtype=bool)
    for p in np.unique(part):
        idx = np.flatnonzero(part == p)
        basis = len(idx)
        if p == 0 and baseline_points is not None:
            basis = min(baseline_points, len(idx))
        out[idx] = basis < profile.partition_warning_points
    return out


_VARIATION_ICONS: Final[dict[tuple[str, str], str]] = {
    ("up", "special_cause_improvement"): "improvement_high",
    ("up", "special_cause_concern"): "concern_low",
    ("down", "special_cause_improvement"): "improvement_low",
    ("down", "special_cause_concern"): "concern_high",
}


def _last(df: pd.DataFrame | XmrColumns, column: str) -> Any:
    values = df[column]
    return values.iloc[-1] if isinstance(values, pd.Series) else values[-1]


def _empty(df: pd.DataFrame | XmrColumns) -> bool:
    return df.empty if isinstance(df, pd.DataFrame) else len(df["value"]) == 0


def variation_icon(df: pd.DataFrame | XmrColumns, improvement: Improvement) -> str | None:
    """Variation icon from the last point of an `xmr` frame (domain.md §4.4); None for a run chart.

    One of common_cause, improvement_high|low, concern_high|low, neutral_high|low.
    """
    if _empty(df) or _last(df, "point_type") is None:
        return None
    point_type = str(_last(df, "point_type"))
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    return _VARIATION_ICONS[(improvement, point_type)]


def assurance_icon(
    df: pd.DataFrame | XmrColumns, target: float | None, improvement: Improvement
) -> str | None:
    """pass / fail / hit_or_miss: the target against the latest process limits (domain.md §4.4).

    MDC-SQL convention (v2.1): a target exactly on a limit counts as pass or fail, not
    hit_or_miss (NHSRplotthedots compares strictly instead). With improvement "down", a target at
    or above the upper limit is a pass and at or below the lower limit a fail; "up" is the
    reverse. None without a target, with direction "neither", or for a run chart.
    """
    if target is None or improvement == "neither" or _empty(df):
        return None
    upper = float(_last(df, "upper_limit"))
    lower = float(_last(df, "lower_limit"))
    if np.isnan(upper) or np.isnan(lower):
        return None
    if target >= upper:
        return "pass" if improvement == "down" else "fail"
    if target <= lower:
        return "fail" if improvement == "down" else "pass"
    return "hit_or_miss"
