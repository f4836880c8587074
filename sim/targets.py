"""The target register: every quantitative target of the 2021 plan, each tested by a model or
marked "not simulated" with the reason (``scenarios/targets.yaml``).

A row of ``TARGETS.md`` is one :class:`Target`; a row that states several numbers (T13: steps,
documents, time) has several :class:`Check` s. A check has a unit as the plan writes it, a
threshold (``max``, ``min``, ``range``, ``equals`` or ``below_baseline``) and either ``test``
(a process file and the metric measured on it; for a :data:`CALCULATORS` metric, the metric alone) or
``not_simulated`` (why not). A tested check may say ``context:`` (why it is context only: its threshold is
not the plan's). Loading checks everything and reports all problems of the file at once.

Ids: the plan's rows are :data:`EXPECTED_IDS` (T01–T30, C01–C10) and each needs an entry. A
register may add targets of its own (a city's ``T31``, ``HK-01``): any id matching
:data:`LOCAL_ID` (a letter, then letters, digits, ``-`` or ``_``; at most 32 characters) that is
not a plan row, with ``source:`` naming the document that sets it (its ``clause:`` is a clause
of that document). An id that is not a plan row, has no ``source:`` and is close to a plan row
that has no entry is taken as a typo of that row ("T3O": did you mean T03).

Example:
    >>> reg = load_register(Path(__file__).resolve().parents[1] / "scenarios" / "targets.yaml")
    >>> reg["T07"].checks[0].threshold
    Threshold(kind='max', low=None, high=18.0)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import inputs
from .errors import ModelError, ScenarioError, did_you_mean
from .inputs import shown

__all__ = ["Target", "Check", "Threshold", "TargetTest", "Register", "load_register",
           "EXPECTED_IDS", "LOCAL_ID", "UNITS", "METRICS", "CALCULATORS", "READINGS", "BELOW_BAND"]

# The rows of the team's TARGETS.md (the plan's checklist); the register must carry each.
EXPECTED_IDS: tuple[str, ...] = tuple(f"T{i:02d}" for i in range(1, 31)) + tuple(f"C{i:02d}" for i in range(1, 11))
# A register's own targets (not rows of the plan): T31, HK-01, sanya_water_2.
LOCAL_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
UNITS = ("工作日", "天", "hours", "count", "yuan", "USD", "yes-no", "percent", "qualitative")
# metric -> units it can be compared in (天 is ambiguous: calendar or working day, so both).
METRICS: dict[str, tuple[str, ...]] = {
    "case_workdays": ("工作日", "天"),
    "case_calendar_days": ("天",),
    "case_hours": ("hours",),
    "procedures": ("count",),
    "documents": ("count",),
    "fee": ("yuan", "USD"),
    "task_workdays": ("工作日", "天"),
    "stages": ("count",),
    "online": ("yes-no",),  # whether one step (task:) is online: a design fact of the file
    "filings_per_year": ("count",),  # tax filings per firm-year by tax mix (sim.analysis.filings)
    "deposit_rate": ("percent",),  # the wage-deposit schedule's highest rate (sim.analysis.deposit)
}
# Metrics computed by a calculator of the plan's own rule, on no process file (test: {metric: ...} alone).
CALCULATORS = ("deposit_rate",)
_TASK_METRICS = ("task_workdays", "online")  # metrics of one step: they need task:
_THRESHOLDS = ("max", "min", "range", "equals", "below_baseline")


@dataclass(frozen=True)
class Threshold:
    """``max``/``min``: one bound; ``range``: both; ``equals``: low == high (yes-no: 1 = yes);
    ``below_baseline``: the variant's value must be lower than the baseline process's."""

    kind: str
    low: float | None = None
    high: float | None = None

    def met(self, value: float, baseline: float | None = None) -> bool:
        """Whether ``value`` meets the threshold (``baseline`` needed for ``below_baseline``).

        >>> Threshold("range", 45, 50).met(47.5), Threshold("max", None, 3).met(3.2)
        (True, False)
        """
        if self.kind == "below_baseline":
            if baseline is None:
                raise ValueError("below_baseline needs the baseline's value")
            return value < baseline
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


@dataclass(frozen=True)
class TargetTest:
    """Where a check is measured: one or more process files (paths relative to the register's folder)."""

    processes: tuple[str, ...]
    metric: str
    task: str | None = None
    baseline: str | None = None


# How a 天 (day, no qualifier) limit on a whole chain is read: the register names one per check,
# and the assessment shows the share meeting it on all three.
READINGS = ("working", "calendar", "db")
# What finishing faster than a band (range) means: meeting the plan's intent, or missing the band.
BELOW_BAND = ("meets", "fails")
# Where a check applies: 全省 (the plan's word) is judged in every 市县; no scope: the model's one window.
SCOPES = ("全省",)
SIMULATED_CASE_METRICS = ("case_workdays", "case_calendar_days", "case_hours", "task_workdays")
# What a simulated check is judged on: the share of cases meeting it, or the mean (a target that is an average).
STATISTICS = ("share", "mean")


@dataclass(frozen=True)
class Check:
    name: str
    metric: str
    unit: str
    threshold: Threshold | None
    test: TargetTest | None
    not_simulated: str | None = None
    note: str = ""
    context: str = ""  # non-empty: shown as context only (why), not a verdict on the plan's target
    reading: str | None = None  # 天 on a whole chain: working | calendar | db (which reading decides)
    reading_why: str = ""  # why that reading decides
    below_band: str | None = None  # range thresholds: meets | fails
    required: float | None = None  # share of cases that must meet it (None: the assessment's default)
    scope: str | None = None  # 全省: a province-wide check, judged in every 市县 (sim.analysis.cities)
    statistic: str = "share"  # share: of cases meeting it (the default) | mean: the chain's mean time meets it
    statistic_why: str = ""  # why a check is judged on the mean (the published statistic is an average)


@dataclass(frozen=True)
class Target:
    id: str
    clause: str
    chain: str
    metric: str
    checks: tuple[Check, ...]
    ambiguity: str = ""
    note: str = ""
    source: str = ""  # a local target (not a row of the plan): the document that sets it

    @property
    def simulated(self) -> bool:
        return any(c.test is not None for c in self.checks)


@dataclass(frozen=True)
class Register:
    targets: tuple[Target, ...]
    file: str = ""
    root: str = ""  # the register's folder, which the process paths of its tests are relative to

    def __getitem__(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise KeyError(f'no target "{target_id}" in {self.file}{did_you_mean(target_id, self.ids())}')

    def ids(self) -> list[str]:
        return [t.id for t in self.targets]

    def tested(self) -> list[tuple[Target, Check]]:
        """Every check with a test, with its target."""
        return [(t, c) for t in self.targets for c in t.checks if c.test is not None]


class _Checker:
    """Collects problems as (yaml path, message) instead of stopping at the first."""

    def __init__(self, base: Path, root: Path) -> None:
        self.base = base  # the register's folder: process paths are relative to it
        self.root = root  # they may not leave this folder
        self.problems: list[tuple[str, str]] = []
        self._tasks: dict[str, set[str] | None] = {}

    def bad(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def text(self, entry: dict[str, Any], key: str, where: str, required: bool = True) -> str:
        value = entry.get(key)
        if value is None:
            if required:
                self.bad(f"{where}.{key}", "missing; expected text")
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or not str(value).strip():
            self.bad(f"{where}.{key}", f"expected non-empty text, got {shown(value)}")
            return ""
        return str(value)

    # -- processes ------------------------------------------------------------------------
    def process_tasks(self, rel: str, where: str) -> set[str] | None:
        """Task ids of a process file, or None (with a problem recorded) when it is missing or broken.

        ``rel`` is relative to the register's folder and must stay inside the allowed root.
        """
        if rel in self._tasks:
            return self._tasks[rel]
        path = (self.base / rel).resolve()
        tasks: set[str] | None = None
        if not inputs.is_inside(path, self.root):
            self.bad(where, f"process file {shown(rel)} leads outside the allowed folder {self.root}; "
                            "choose another folder with --root / root=")
        elif not path.is_file():  # a FIFO or device is not a file either; read_xml would say so too
            folder = path.parent
            known = [str(Path(rel).parent / p.name) for p in sorted(folder.glob("*.bpmn"))] if folder.is_dir() else []
            self.bad(where, f'process file {shown(rel)} not found (paths are relative to the register\'s folder '
                            f'{self.base}){did_you_mean(rel, known)}')
        else:
            from .bpmn.loader import load_process  # late: loading the register needs no SpiffWorkflow

            try:
                tasks = {n.id for n in load_process(path).tasks()}
            except ModelError as exc:
                self.bad(where, f'process file {shown(rel)} does not load: {exc}')
        self._tasks[rel] = tasks
        return tasks

    def threshold(self, entry: dict[str, Any], unit: str, where: str) -> Threshold | None:
        given = [k for k in _THRESHOLDS if k in entry]
        if unit == "qualitative":
            if given:
                self.bad(f"{where}.{given[0]}", "a qualitative target has no threshold")
            return None
        if len(given) != 1:
            what = "none" if not given else ", ".join(given)
            self.bad(where, f"expected exactly one threshold ({', '.join(_THRESHOLDS)}), got {what}")
            return None
        kind = given[0]
        value = entry[kind]
        here = f"{where}.{kind}"

        def number(x: Any) -> float | None:
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                return None
            return float(x)

        if unit == "yes-no":
            if kind != "equals" or not isinstance(value, bool):
                self.bad(here, f"a yes-no target takes `equals: yes` or `equals: no`, got {kind}: {shown(value)}")
                return None
            return Threshold("equals", float(value), float(value))
        if kind == "below_baseline":
            if value is not True:
                self.bad(here, f"expected `below_baseline: true`, got {shown(value)}")
                return None
            return Threshold("below_baseline")
        if kind == "range":
            if not (isinstance(value, list) and len(value) == 2 and all(number(v) is not None for v in value)):
                self.bad(here, f"expected [low, high] with two numbers, got {shown(value)}")
                return None
            low, high = float(value[0]), float(value[1])
            if low > high:
                self.bad(here, f"low {low:g} is above high {high:g}")
                return None
            return Threshold("range", low, high)
        x = number(value)
        if x is None or x < 0:
            self.bad(here, f"expected a number ≥ 0, got {shown(value)}")
            return None
        return {"max": Threshold("max", None, x), "min": Threshold("min", x, None), "equals": Threshold("equals", x, x)}[kind]

    def test(self, entry: Any, unit: str, threshold: Threshold | None, where: str) -> TargetTest | None:
        if not isinstance(entry, dict):
            self.bad(where, f"expected a mapping with process and metric, got {shown(entry)}")
            return None
        unknown = set(entry) - {"process", "metric", "task", "baseline"}
        for key in sorted(unknown):
            self.bad(f"{where}.{key}", f"unknown key{did_you_mean(key, ['process', 'metric', 'task', 'baseline'])}")
        raw = entry.get("process")
        metric = entry.get("metric")
        procs = [raw] if isinstance(raw, str) else raw
        if metric in CALCULATORS:
            if raw is not None:
                self.bad(f"{where}.process", f'metric "{metric}" is computed from the plan\'s rule, on no process file; '
                                             "remove process")
            procs = []
        elif not (isinstance(procs, list) and procs and all(isinstance(p, str) and p for p in procs)):
            self.bad(f"{where}.process", f"expected a process file path or a list of them, got {shown(raw)}")
            procs = []
        if metric not in METRICS:
            self.bad(f"{where}.metric", f"unknown metric {shown(metric)}; expected one of {', '.join(METRICS)}"
                     + did_you_mean(str(metric), METRICS))
        elif unit not in METRICS[metric]:
            self.bad(f"{where}.metric", f'metric "{metric}" is measured in {" or ".join(METRICS[metric])}, '
                                       f'but the check\'s unit is "{unit}"')
        task = entry.get("task")
        if metric in _TASK_METRICS and not isinstance(task, str):
            self.bad(f"{where}.task", f"{metric} needs the task id (task: t_...)")
        if metric not in _TASK_METRICS and task is not None:
            self.bad(f"{where}.task", f'only task_workdays takes a task; metric is "{metric}"')
        for i, rel in enumerate(procs):
            pwhere = f"{where}.process" + (f"[{i}]" if isinstance(raw, list) else "")
            tasks = self.process_tasks(rel, pwhere)
            if tasks is not None and isinstance(task, str) and task not in tasks:
                self.bad(f"{where}.task", f'no task "{task}" in {rel}{did_you_mean(task, tasks)}')
        baseline = entry.get("baseline")
        if threshold is not None and threshold.kind == "below_baseline":
            if not isinstance(baseline, str):
                self.bad(f"{where}.baseline", "below_baseline needs the baseline process (baseline: processes/…bpmn)")
            else:
                self.process_tasks(baseline, f"{where}.baseline")
        elif baseline is not None:
            self.bad(f"{where}.baseline", "baseline is only used with below_baseline")
        return TargetTest(tuple(procs), str(metric), task if isinstance(task, str) else None,
                          baseline if isinstance(baseline, str) else None)

    def check(self, entry: dict[str, Any], where: str, name: str, metric: str) -> Check:
        unit = entry.get("unit")
        if unit not in UNITS:
            self.bad(f"{where}.unit", f"unknown unit {shown(unit)}; expected one of {', '.join(UNITS)}"
                     + did_you_mean(str(unit), UNITS))
            unit = ""
        threshold = self.threshold(entry, unit, where) if unit else None
        has_test, has_not = "test" in entry, "not_simulated" in entry
        test = None
        reason = None
        if has_test == has_not:
            self.bad(where, "expected either test: (process and metric) or not_simulated: (the reason), "
                            + ("not both" if has_test else "got neither"))
        elif has_test:
            test = self.test(entry["test"], unit, threshold, f"{where}.test")
            if threshold is None and unit == "qualitative":
                self.bad(f"{where}.test", "a qualitative check cannot be tested; give it a threshold and a unit")
        else:
            reason = entry["not_simulated"]
            if not isinstance(reason, str) or not reason.strip():
                self.bad(f"{where}.not_simulated", f"expected the reason as text, got {shown(reason)}")
                reason = None
        reading, reading_why = self.reading(entry, unit, test, where)
        below_band = self.below_band(entry, threshold, where)
        required = self.required(entry, where)
        context = self.context(entry, test, where)
        scope = self.scope(entry, test, where)
        statistic, statistic_why = self.statistic(entry, test, threshold, where)
        if scope is not None and statistic == "mean":
            self.bad(f"{where}.scope", "a province-wide check is judged per 市县 on the share of cases; statistic: mean "
                                       "cannot be judged per 市县 yet")
        return Check(name, metric, unit, threshold, test, reason, str(entry.get("note", "")), context, reading,
                     reading_why, below_band, required, scope, statistic, statistic_why)

    def statistic(self, entry: dict[str, Any], test: TargetTest | None, threshold: Threshold | None,
                  where: str) -> tuple[str, str]:
        """``statistic: mean`` with ``statistic_why:``: the target is an average (整体通关时间), judged on the mean."""
        value, why = entry.get("statistic", "share"), entry.get("statistic_why")
        if value not in STATISTICS:
            self.bad(f"{where}.statistic", f"expected one of {', '.join(STATISTICS)}, got {shown(value)}")
            return "share", ""
        if value == "share":
            if why is not None:
                self.bad(f"{where}.statistic_why", "only a check with statistic: mean takes statistic_why")
            return "share", ""
        if not isinstance(why, str) or not why.strip():
            self.bad(f"{where}.statistic_why", "a check judged on the mean must say why (e.g. the published figure is an "
                                               "average over all declarations)")
        if test is None or test.metric not in SIMULATED_CASE_METRICS or test.baseline is not None:
            self.bad(f"{where}.statistic", f"the mean is judged on a simulated case metric ({' | '.join(SIMULATED_CASE_METRICS)})")
        if threshold is not None and threshold.kind not in ("max", "min", "range"):
            self.bad(f"{where}.statistic", f"the mean is judged against max, min or range, not {threshold.kind}")
        return "mean", str(why or "")

    def scope(self, entry: dict[str, Any], test: TargetTest | None, where: str) -> str | None:
        """``scope: 全省`` (the plan says province-wide): judged in every 市县; only on a simulated case metric."""
        if "scope" not in entry:
            return None
        value = entry["scope"]
        if value != SCOPES[0]:
            self.bad(f"{where}.scope", f"expected {SCOPES[0]} (province-wide: judged in every 市县), got {shown(value)}")
            return None
        if test is None or test.metric not in SIMULATED_CASE_METRICS:
            self.bad(f"{where}.scope", f"a province-wide check is judged per 市县 by simulation; expected a test with metric "
                                       f"{' | '.join(SIMULATED_CASE_METRICS)}")
            return None
        return value

    def context(self, entry: dict[str, Any], test: TargetTest | None, where: str) -> str:
        """``context:`` (why the check is context only): a tested check whose threshold is not the plan's."""
        if "context" not in entry:
            return ""
        value = entry["context"]
        if not isinstance(value, str) or not value.strip():
            self.bad(f"{where}.context", f"expected why this check is context only (text), got {shown(value)}")
            return ""
        if test is None:
            self.bad(f"{where}.context", "only a tested check can be shown as context")
        return value

    def reading(self, entry: dict[str, Any], unit: str, test: TargetTest | None, where: str) -> tuple[str | None, str]:
        """Which reading of 天 decides a whole-chain check, and why; required exactly there."""
        whole_chain = test is not None and test.metric in ("case_workdays", "case_calendar_days")
        value, why = entry.get("reading"), entry.get("reading_why")
        if unit == "天" and whole_chain:
            if value not in READINGS:
                self.bad(f"{where}.reading", f"a 天 limit on a whole chain must say how 天 is read: one of "
                                             f"{', '.join(READINGS)}, got {shown(value)}")
                return None, ""
            if not isinstance(why, str) or not why.strip():
                self.bad(f"{where}.reading_why", "say why this reading of 天 decides (one sentence)")
            assert test is not None
            clock_metric = "case_workdays" if value == "working" else "case_calendar_days"
            if test.metric != clock_metric:
                self.bad(f"{where}.reading", f'reading "{value}" contradicts test.metric "{test.metric}" '
                                             f'(expected {clock_metric})')
            return str(value), str(why or "")
        if value is not None or why is not None:
            self.bad(f"{where}.reading", "only a 天 limit on a whole chain takes a reading (工作日 and hours are unambiguous)")
        return None, ""

    def below_band(self, entry: dict[str, Any], threshold: Threshold | None, where: str) -> str | None:
        value = entry.get("below_band")
        if threshold is not None and threshold.kind == "range":
            if value not in BELOW_BAND:
                self.bad(f"{where}.below_band", f"a band must say whether finishing below it meets the intent: "
                                                f"one of {', '.join(BELOW_BAND)}, got {shown(value)}")
                return None
            return str(value)
        if value is not None:
            self.bad(f"{where}.below_band", "only a range (band) threshold takes below_band")
        return None

    def required(self, entry: dict[str, Any], where: str) -> float | None:
        value = entry.get("required")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            self.bad(f"{where}.required", f"expected the share of cases that must meet it, in (0, 1], got {shown(value)}")
            return None
        return float(value)


def _check_ids(ck: _Checker, row_of: dict[str, tuple[str, dict[str, Any]]], expected: tuple[str, ...]) -> None:
    """Every plan row present; every other id a well-formed local target with a source, or named as a typo.

    A typo is told against the plan rows that are really absent, so "T3O" points at a missing T03,
    not at a T30 that is there.
    """
    absent = [x for x in expected if x not in row_of]
    explained: set[str] = set()
    for extra in sorted(set(row_of) - set(expected)):
        where, entry = row_of[extra]
        close = difflib.get_close_matches(extra, absent, n=1, cutoff=0.6)  # the cutoff did_you_mean uses
        if "source" not in entry and close:
            explained.add(close[0])
            ck.bad(f"{where}.id", f'"{extra}" is not a row of the plan, and the plan\'s row {close[0]} has no entry '
                                  f'(did you mean "{close[0]}"?)')
        elif not LOCAL_ID.fullmatch(extra):
            ck.bad(f"{where}.id", f'"{extra}" is neither a row of the plan nor a valid local id (a letter, then letters, '
                                  'digits, - or _; at most 32 characters, e.g. T31 or HK-01)')
        elif "source" not in entry:
            ck.bad(f"{where}.source", f'"{extra}" is not a row of the plan; a local target needs source: (the document '
                                      'that sets it, e.g. a city\'s action plan) beside its clause:')
        else:
            ck.text(entry, "source", where)
    for missing in absent:
        if missing not in explained:
            ck.bad("targets", f"no entry for {missing} (every row of the plan's list of targets needs one)")


def load_register(path: str | Path, *, root: str | Path | None = None,
                  expected_ids: Iterable[str] = EXPECTED_IDS) -> Register:
    """Read and validate a target register; raise :class:`ScenarioError` listing every problem.

    Process paths in ``test`` are relative to the register's own folder (so a register copied with
    its processes still finds them) and must stay inside ``root`` (default:
    :func:`sim.inputs.allowed_root`, the project folder).
    """
    path = Path(path)
    base = path.resolve().parent
    data = inputs.read_yaml(path, inputs.REGISTER)
    ck = _Checker(base, inputs.allowed_root(path, root))
    if not isinstance(data, dict) or not isinstance(data.get("targets"), list):
        raise ScenarioError([("targets", "expected a mapping with a list under `targets:`")], file=str(path))
    targets: list[Target] = []
    seen: set[str] = set()
    row_of: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> (yaml path, entry), for the id checks at the end
    for i, entry in enumerate(data["targets"]):
        where = f"targets[{i}]"
        if not isinstance(entry, dict):
            ck.bad(where, f"expected a mapping, got {shown(entry)}")
            continue
        tid = ck.text(entry, "id", where)
        if tid:
            where = f"targets[{i}] ({tid})"
            if tid in seen:
                ck.bad(f"{where}.id", f'"{tid}" appears twice')
            seen.add(tid)
            row_of.setdefault(tid, (where, entry))
        clause = ck.text(entry, "clause", where)
        chain = ck.text(entry, "chain", where)
        metric = ck.text(entry, "metric", where)
        checks: list[Check] = []
        if "checks" in entry:
            parts = entry["checks"]
            if not isinstance(parts, list) or not parts:
                ck.bad(f"{where}.checks", "expected a non-empty list of checks")
                parts = []
            for j, part in enumerate(parts):
                pw = f"{where}.checks[{j}]"
                if not isinstance(part, dict):
                    ck.bad(pw, f"expected a mapping, got {shown(part)}")
                    continue
                name = ck.text(part, "name", pw)
                checks.append(ck.check(part, pw, name, str(part.get("metric", metric))))
        else:
            checks.append(ck.check(entry, where, tid, metric))
        targets.append(Target(tid, clause, chain, metric, tuple(checks), str(entry.get("ambiguity", "")),
                              str(entry.get("note", "")), str(entry.get("source") or "")))
    _check_ids(ck, row_of, tuple(expected_ids))
    if ck.problems:
        raise ScenarioError(ck.problems, file=str(path))
    return Register(tuple(targets), str(path), str(base))
