"""Calibration from an event log: fitted work durations, arrival rate and opening hours → scenario overlay.

:func:`fit_log` reads a CSV (pm4py column names ``case:concept:name``, ``concept:name``,
``start_timestamp``, ``time:timestamp``, or the common ``case_id``, ``activity``, ``start_time``,
``end_time``) or an XES file (through pm4py) with one row per executed step and its start and
end. Per activity it fits exponential, lognormal, gamma, normal and uniform by maximum
likelihood (scipy.stats; lognormal, gamma and exponential with location 0, as durations start
at 0) and keeps the one with the lowest AIC; a constant sample is ``fixed``. AIC rather than the
KS statistic chooses, because it compares the likelihoods the parameters were fitted by and
charges for parameters, while KS p-values with fitted parameters are biased upward; the KS
statistic and p-value of the chosen fit are still reported as a check.

Durations are work, ``end - start`` in hours (``work="elapsed"``, the default) or the open hours
between them on the official calendar with the observed opening hours (``work="open"``), for
logs whose steps run over nights. Waiting (``start - enable``) is queueing, an output of the
simulation, not a parameter, so it is not fitted.

Arrival rate: cases (first enable or start time) per official working day between the first
and the last arrival day. Opening hours: from the 1st percentile of start times to the 99th
percentile of end times of steps that start and end on the same official working day, rounded
out to the quarter hour (the end, not the last start, because the last step started must still
be worked on); a lunch break is not detected. ``hours_by_weekday`` gives the plain earliest start
and latest end per weekday.

:func:`write_overlay` writes a scenario overlay that :func:`sim.model.scenario.parse_scenario` accepts.

Example:
    result = fit_log("log.csv", process)
    result.activities["t_review"].dist
    lognormal(2.01, 0.98)
    write_overlay(result, "scenarios/fitted.yaml")
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from .. import inputs
from ..errors import ModelError, ScenarioError
from ..files import atomic_write
from ..model.calendar import OpeningHours, WorkClock, is_official_workday
from ..model.distributions import Distribution, Exponential, Fixed, Gamma, LogNormal, Normal, Uniform
from ..model.process import Process
from ..model.scenario import parse_scenario

__all__ = ["ActivityFit", "FitResult", "fit_log", "write_overlay", "fit_durations", "FAMILIES"]

FAMILIES = ("exponential", "lognormal", "gamma", "normal", "uniform", "fixed")
LOCAL_TZ = "Asia/Shanghai"  # offsets in a log are converted to the offices' local time

_COLUMNS = {  # our name: accepted spellings, in order of preference
    "case": ("case:concept:name", "case_id", "case"),
    "activity": ("concept:name", "activity", "activity_name"),
    "start": ("start_timestamp", "start_time", "start"),
    "end": ("time:timestamp", "end_time", "end", "complete_time"),
    "enable": ("enable_timestamp", "enable_time", "enabled_time"),
    "activity_id": ("activity_id", "step_id", "node_id"),
}


@dataclass(frozen=True)
class ActivityFit:
    """The fitted work duration of one activity (hours)."""

    activity: str
    step_id: str | None  # the process step it matched, or None
    n: int
    dist: Distribution
    family: str
    params: Mapping[str, float]  # scipy.stats parameters of the chosen fit
    ks_stat: float
    ks_pvalue: float
    aic: Mapping[str, float] = field(default_factory=dict)  # every candidate family tried


@dataclass(frozen=True)
class FitResult:
    log: str
    activities: Mapping[str, ActivityFit]  # key: step id if matched, else the activity label
    cases: int
    workdays: int
    rate_per_workday: float
    office_hours: OpeningHours | None
    hours_by_weekday: Mapping[int, tuple[float, float]]  # 0 = Monday: (earliest start, latest end) in hours
    unmatched: tuple[str, ...] = ()  # activities of the log with no process step
    missing: tuple[str, ...] = ()  # process steps with no data in the log
    notes: tuple[str, ...] = ()


# -- reading ----------------------------------------------------------------------------------
def _pick(df: pd.DataFrame, key: str) -> str | None:
    return next((c for c in _COLUMNS[key] if c in df.columns), None)


def _times(df: pd.DataFrame, col: str, file: str, tz: str) -> pd.Series:
    values = df[col]
    if not pd.api.types.is_datetime64_any_dtype(values):
        try:
            values = pd.to_datetime(values, format="ISO8601")
        except (ValueError, TypeError):
            try:
                values = pd.to_datetime(values, format="ISO8601", utc=True)  # mixed offsets
            except (ValueError, TypeError) as exc:
                raise ScenarioError([(col, f"expected ISO 8601 timestamps such as 2021-07-01T09:30:00+08:00 ({exc})")],
                                    file=file) from None
    if values.isna().any():
        raise ScenarioError([(col, f"{int(values.isna().sum())} row(s) have no timestamp")], file=file)
    if values.dt.tz is not None:
        values = values.dt.tz_convert(tz).dt.tz_localize(None)
    return values


def _read(path: Path, tz: str) -> pd.DataFrame:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = inputs.read_text(path, inputs.EVENT_LOG)  # regular file, size-limited, UTF-8 (BOM tolerated)
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ScenarioError([("", f"cannot read the CSV: {exc}")], file=file) from None
    elif suffix == ".xes":
        import pm4py  # heavy import, only for XES

        from ..bpmn.xml import refuse_dtd

        data = inputs.read_bytes(path, inputs.EVENT_LOG)
        try:
            refuse_dtd(data, file)
        except ModelError as exc:
            raise ScenarioError([("", exc.message.replace("BPMN needs", "an event log needs"))], file=file) from None
        # pm4py reads a path: give it a private copy of the bytes checked above, not the user's
        # path, which could be swapped for a FIFO in between
        with tempfile.TemporaryDirectory(prefix="reformsim-xes-") as tmp:
            copy = Path(tmp) / "log.xes"
            copy.write_bytes(data)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    df = pm4py.read_xes(str(copy))
                except Exception as exc:  # pm4py raises assorted exception types on bad XML
                    raise ScenarioError([("", f"cannot read the XES file: {str(exc).replace(str(copy), file)}")],
                                        file=file) from None
    else:
        raise ScenarioError([("", f'cannot tell the log format from the suffix "{path.suffix}"; expected .csv or .xes')], file=file)
    cols = {k: _pick(df, k) for k in _COLUMNS}
    problems = [(" / ".join(_COLUMNS[k]), "required column missing") for k in ("case", "activity", "end") if cols[k] is None]
    if cols["start"] is None:
        hint = ("the XES has separate start/complete events; ReformSim reads one event per step with a start_timestamp "
                "attribute" if "lifecycle:transition" in df.columns else "required column missing")
        problems.append((" / ".join(_COLUMNS["start"]), hint))
    if problems:
        raise ScenarioError(problems, file=file)
    out = pd.DataFrame({
        "case": df[cols["case"]].astype(str),
        "activity": df[cols["activity"]].astype(str),
        "start": _times(df, cols["start"], file, tz),
        "end": _times(df, cols["end"], file, tz),
    })
    out["enable"] = _times(df, cols["enable"], file, tz) if cols["enable"] else out["start"]
    out["activity_id"] = df[cols["activity_id"]].astype(str).replace("nan", "") if cols["activity_id"] else ""
    bad = out["end"] < out["start"]
    if bad.any():
        raise ScenarioError([(cols["end"], f"{int(bad.sum())} row(s) end before they start, e.g. case {out.loc[bad, 'case'].iloc[0]}")],
                            file=file)
    return out


# -- fitting ----------------------------------------------------------------------------------
def fit_durations(x: np.ndarray) -> tuple[str, Distribution, dict[str, float], float, float, dict[str, float]]:
    """Fit the candidate families to ``x`` (hours) by maximum likelihood; choose by AIC.

    Returns (family, distribution, scipy parameters, KS statistic, KS p-value, AIC per family).

    >>> family, dist, *_ = fit_durations(np.array([1.0, 1.0, 1.0]))
    >>> family, dist
    ('fixed', fixed(1))
    """
    x = np.asarray(x, dtype=float)
    mean = float(x.mean())
    if len(x) < 2 or float(np.ptp(x)) <= 1e-9 * max(abs(mean), 1.0):
        return "fixed", Fixed(max(mean, 0.0)), {"value": mean}, 0.0, 1.0, {}
    candidates: dict[str, tuple[Any, dict[str, float], int]] = {}
    candidates["exponential"] = (stats.expon(scale=mean), {"loc": 0.0, "scale": mean}, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on poor starting points; the AIC judges the result
        if (x > 0).all():
            s, _, scale = stats.lognorm.fit(x, floc=0)
            candidates["lognormal"] = (stats.lognorm(s, scale=scale), {"s": s, "loc": 0.0, "scale": scale}, 2)
            a, _, scale = stats.gamma.fit(x, floc=0)
            candidates["gamma"] = (stats.gamma(a, scale=scale), {"a": a, "loc": 0.0, "scale": scale}, 2)
        loc, scale = stats.norm.fit(x)
        candidates["normal"] = (stats.norm(loc, scale), {"loc": loc, "scale": scale}, 2)
        lo, width = float(x.min()), float(np.ptp(x))
        candidates["uniform"] = (stats.uniform(lo, width), {"loc": lo, "scale": width}, 2)
    aic: dict[str, float] = {}
    for name, (frozen, _, k) in candidates.items():
        ll = float(np.sum(frozen.logpdf(x)))
        aic[name] = 2 * k - 2 * ll if math.isfinite(ll) else math.inf
    best = min(aic, key=lambda k: aic[k])
    frozen, params, _ = candidates[best]
    ks = stats.kstest(x, frozen.cdf)
    return best, _to_distribution(best, frozen), params, float(ks.statistic), float(ks.pvalue), aic


def _to_distribution(family: str, frozen: Any) -> Distribution:
    m, sd = float(frozen.mean()), float(frozen.std())
    if family == "exponential":
        return Exponential(m)
    if family == "lognormal":
        return LogNormal(m, sd)
    if family == "gamma":
        return Gamma(m, sd)
    if family == "normal":
        return Normal(max(m, 0.0), sd)
    lo, hi = frozen.support()
    return Uniform(max(float(lo), 0.0), float(hi))


# -- the log as a whole -----------------------------------------------------------------------
def _quarter(h: float, up: bool) -> float:
    q = (math.ceil if up else math.floor)(h * 4 - 1e-9 if up else h * 4 + 1e-9) / 4
    return min(max(q, 0.0), 24.0)


def _hour(ts: pd.Series) -> pd.Series:
    return ts.dt.hour + ts.dt.minute / 60 + ts.dt.second / 3600


def fit_log(
    log_path: str | os.PathLike[str],
    process: Process | None = None,
    *,
    work: Literal["elapsed", "open"] = "elapsed",
    tz: str = LOCAL_TZ,
) -> FitResult:
    """Fit work durations per activity, the arrival rate and the opening hours from an event log."""
    path = Path(log_path)
    df = _read(path, tz)
    notes: list[str] = []
    if df.empty:
        raise ScenarioError([("", "the event log has no events")], file=str(path))

    # opening hours from steps that start and end on the same official working day
    same_day = df[df["start"].dt.normalize() == df["end"].dt.normalize()]
    workday_of = {d: is_official_workday(d) for d in {*df["start"].dt.date, *df["enable"].dt.date, *df["end"].dt.date}}
    on_workday = same_day[same_day["start"].dt.date.map(workday_of)]
    by_weekday = {
        int(wd): (float(_hour(g["start"]).min()), float(_hour(g["end"]).max()))
        for wd, g in same_day.groupby(same_day["start"].dt.day_of_week)
    }
    office: OpeningHours | None = None
    if not on_workday.empty:
        # 1st/99th percentiles: one step run by a night batch should not open the office all night
        a = _quarter(float(_hour(on_workday["start"]).quantile(0.01)), up=False)
        b = _quarter(float(_hour(on_workday["end"]).quantile(0.99)), up=True)
        if b > a:
            office = OpeningHours(((a, b),))
    off_days = int((~df["start"].dt.date.map(workday_of)).sum())
    if off_days:
        notes.append(f"{off_days} step(s) started on a day that is not an official working day")

    # work durations
    if work == "open":
        if office is None:
            raise ScenarioError([("", 'work="open" needs opening hours, but no step starts and ends on one working day')],
                                file=str(path))
        origin = df["start"].min().date()
        clock = WorkClock(origin, office)
        base = pd.Timestamp(origin)
        to_h = lambda s: (s - base).dt.total_seconds() / 3600  # noqa: E731
        df["hours"] = [clock.working_time(e) - clock.working_time(s) for s, e in zip(to_h(df["start"]), to_h(df["end"]))]
    else:
        df["hours"] = (df["end"] - df["start"]).dt.total_seconds() / 3600
        spanning = int((df["start"].dt.normalize() != df["end"].dt.normalize()).sum())
        if spanning:
            notes.append(f'{spanning} step(s) run over midnight; their elapsed time counts closed hours as work '
                         '(use work="open" to count open hours only)')

    # match activities to process steps: by id, then by name
    steps = {n.id: n for n in process.nodes.values() if n.kind in ("task", "timer")} if process else {}
    by_name: dict[str, list[str]] = {}
    for n in steps.values():
        if n.name:
            by_name.setdefault(n.name, []).append(n.id)

    def step_of(activity_id: str, activity: str) -> str | None:
        for key in (activity_id, activity):
            if key and key in steps:
                return key
        ids = by_name.get(activity, [])
        return ids[0] if len(ids) == 1 else None

    pairs = df[["activity_id", "activity"]].drop_duplicates()
    mapping = {(i, a): step_of(i, a) for i, a in pairs.itertuples(index=False)}
    df["step"] = [mapping[(i, a)] or "" for i, a in zip(df["activity_id"], df["activity"])]  # "": no step
    if process is not None:
        for name, ids in by_name.items():
            if len(ids) > 1:
                notes.append(f'activity name "{name}" belongs to several steps ({", ".join(ids)}); matched by id only')
    df["key"] = [s if s else (i or a) for s, i, a in zip(df["step"], df["activity_id"], df["activity"])]

    activities: dict[str, ActivityFit] = {}
    for key, g in df.groupby("key", sort=False):
        family, dist, params, ks, p, aic = fit_durations(g["hours"].to_numpy())
        step = g["step"].iloc[0] or None
        activities[str(key)] = ActivityFit(str(g["activity"].iloc[0]), step, len(g), dist, family, params, ks, p, aic)
        if family in ("exponential", "normal", "uniform") and (g["hours"] == 0).any():
            notes.append(f'activity "{key}": zero durations excluded lognormal and gamma from the fit')
    unmatched = tuple(sorted({str(k) for k, s in zip(df["key"], df["step"]) if not s})) if process else ()
    missing = tuple(sid for sid in steps if sid not in activities) if process else ()

    # arrivals: first time each case is seen
    arrivals = df.groupby("case")[["enable", "start"]].min().min(axis=1)
    first, last = arrivals.min().date(), arrivals.max().date()
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    workdays = sum(1 for d in days if is_official_workday(d))
    if workdays == 0:
        raise ScenarioError([("", f"all cases arrived on days that are not official working days ({first}…{last}); "
                                  "cannot fit a rate per working day")], file=str(path))
    rate = len(arrivals) / workdays
    return FitResult(
        log=str(path), activities=activities, cases=len(arrivals), workdays=workdays, rate_per_workday=rate,
        office_hours=office, hours_by_weekday=by_weekday, unmatched=unmatched, missing=missing, notes=tuple(notes),
    )


# -- overlay ----------------------------------------------------------------------------------
def overlay_mapping(result: FitResult) -> dict[str, Any]:
    """The overlay as a plain mapping (what :func:`write_overlay` writes)."""
    name = Path(result.log).name
    data: dict[str, Any] = {
        "name": f"fitted from {name}",
        "description": "calibration overlay written by sim.interop.fit; apply on top of a scenario",
    }
    if result.office_hours is not None:
        data["office_hours"] = str(result.office_hours)
        data["source"] = (f"fitted from {name}: office_hours = 1st percentile of start to 99th percentile of end times "
                          "of same-day steps on official working days, rounded out to the quarter hour")
    data["arrivals"] = {
        "rate_per_workday": round(result.rate_per_workday, 4),
        "source": f"fitted from {name} (n={result.cases} cases over {result.workdays} official working days)",
    }
    steps = {}
    for key, fit in result.activities.items():
        if result.unmatched and key in result.unmatched:
            continue
        steps[key] = {
            "work": f"{fit.dist!r} h",
            "source": f"fitted from {name} (n={fit.n}; {fit.family} by AIC, KS p={fit.ks_pvalue:.2g})",
        }
    if steps:
        data["steps"] = steps
    return data


def write_overlay(result: FitResult, path: str | os.PathLike[str]) -> None:
    """Write the scenario overlay YAML (checked with ``parse_scenario`` first), atomically."""
    target = Path(path)
    data = overlay_mapping(result)
    parse_scenario(data, file=str(target))  # never write an overlay the loader would refuse
    header = [f"# Scenario overlay fitted from {result.log} by sim.interop.fit."]
    header += [f"# note: {n}" for n in result.notes]
    if result.unmatched:
        header.append(f"# not written (no process step): {', '.join(result.unmatched)}")
    if result.missing:
        header.append(f"# process steps without data in the log: {', '.join(result.missing)}")
    text = "\n".join(header) + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    atomic_write(target, text)
