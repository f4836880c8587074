"""Prosimos's own example models: ReformSim (imported with ``--prosimos``) against Prosimos 2.1.0.

For each example pair (``<name>.bpmn`` + ``<name>.json`` in ``--examples``), both simulators run
``--cases`` cases for each of ``--seeds`` seeds; the table gives, per KPI, each side's mean over
seeds with its 95% t interval, the difference, and whether the intervals overlap. KPIs: mean cycle
time, mean waiting and mean processing per case (sums over the case's tasks; processing is start
to end on the clock, nights included, on both sides) and resource utilisation (Prosimos: mean over
its individual resources; ReformSim: staff-weighted mean over agencies).

Same calendar on both sides: the run starts Monday 2021-06-21, in a window without official
holidays or 调休 make-up days (to 2021-09-17), so ReformSim's official working days are Prosimos's
Monday–Friday. Arrivals: ReformSim gets the arrival instants placed as Prosimos places them
(first case at the start instant, then ``previous + gap``, moved to the next opening of the
arrival calendar when it falls outside), with the gaps drawn from the imported inter-arrival law
on its own seeded stream. Everything else is the import as ``reformsim run --prosimos`` does it.

Nothing here is needed by the tests. The example files are not in the repository (Prosimos's
repository has no licence; see tests/data/prosimos_examples/SOURCES.md for where each comes from).

Setup, once (Prosimos 2.1.0 needs Python < 3.12 and lives in its own venv, outside the repository)::

    python3.11 -m venv /work/prosimos-venv && /work/prosimos-venv/bin/pip install prosimos==2.1.0

Example::

    .venv/bin/python benchmarks/prosimos_agreement.py --cases 500 --seeds 10 > agreement.md
    .venv/bin/python benchmarks/prosimos_agreement.py --only gateway_xor_one_true --seeds 3 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from vs_prosimos import DRIVER, ci95  # noqa: E402  (the one Prosimos driver and interval)

EXAMPLES = ("and_join", "credit_application", "gateway_xor_one_true", "gateway_xor_multiple_true",
            "event_attributes")
# "<example>+same_calendars": Prosimos also gets the calendars ReformSim imports (each resource the hours
# of its agency, Monday to Friday), to show what the one-pattern-per-agency simplification alone costs.
VARIANTS = ("credit_application+same_calendars",)
SAME_CALENDARS = "+same_calendars"
START = dt.datetime(2021, 6, 21)  # Monday; no official holiday or make-up day until 2021-09-18
PROSIMOS_PYTHON = Path(os.environ.get("PROSIMOS_PYTHON", "/work/prosimos-venv/bin/python"))
KPIS = (("cycle time (h)", "cycle_h"), ("waiting per case (h)", "waiting_h"),
        ("processing per case (h)", "processing_h"), ("resource utilisation", "utilisation"))


def prosimos_arrivals_h(gaps_h: list[float], week: list[tuple[tuple[float, float], ...]], start: dt.datetime) -> list[float]:
    """Arrival instants (hours from ``start``) as Prosimos 2.1.0 places them (``next_arrival_time``).

    ``week`` is the arrival calendar, seven tuples of (from, to) hours, Monday first; a period
    includes its start, not its end. The first case arrives at the first opening from ``start``;
    each next one ``gap`` later, moved to the next opening when that instant is closed.

    >>> week = [((9.0, 17.0),)] * 5 + [()] * 2
    >>> prosimos_arrivals_h([4.0, 4.0, 4.0], week, dt.datetime(2021, 6, 25, 9))   # Friday 9:00, 13:00, Monday 9:00
    [0.0, 4.0, 72.0]
    """
    t = _wait_to_open(start, week)
    out = [t]
    for gap in gaps_h[:-1]:
        t += gap
        t += _wait_to_open(start + dt.timedelta(hours=t), week)
        out.append(round(t, 9))
    return out


def _wait_to_open(when: dt.datetime, week: list[tuple[tuple[float, float], ...]]) -> float:
    day, hour = when.weekday(), when.hour + when.minute / 60 + when.second / 3600 + when.microsecond / 3.6e9
    for a, b in week[day]:
        if hour < a:
            return a - hour
        if hour < b:
            return 0.0
    wait = 24 - hour
    for k in range(1, 8):
        if week[(day + k) % 7]:
            return wait + week[(day + k) % 7][0][0]
        wait += 24
    raise ValueError("the arrival calendar has no open hour")


# -- the two sides -----------------------------------------------------------------------------
def run_prosimos(bpmn: Path, params: Path, cases: int, seeds: list[int]) -> list[dict[str, Any]]:
    if not PROSIMOS_PYTHON.exists():
        raise SystemExit(f"{PROSIMOS_PYTHON} not found: create the Prosimos venv (see this script's docstring) "
                         "or set PROSIMOS_PYTHON")
    cmd = [str(PROSIMOS_PYTHON), str(DRIVER), str(bpmn), str(params), "--cases", str(cases), "--seeds",
           *map(str, seeds), "--start", START.isoformat() + "+00:00"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "Prosimos failed")
    runs = json.loads(proc.stdout.strip().splitlines()[-1])["runs"]
    out = []
    for r in runs:
        n = r["cases"]
        out.append({"cycle_h": r["cycle_mean_h"], "utilisation": r["utilisation"],
                    "waiting_h": sum(r["waiting_h"][k] * v for k, v in r["visits"].items()) / n,
                    "processing_h": sum(r["working_h"][k] * v for k, v in r["visits"].items()) / n,
                    "visits": {k: v / n for k, v in r["visits"].items()}})
    return out


def run_reformsim(bpmn: Path, params: Path, cases: int, seeds: list[int]) -> tuple[list[dict[str, Any]], list[str]]:
    import numpy as np

    import sim
    from sim.interop.prosimos import import_prosimos, map_distribution, _calendar

    process, mapping = import_prosimos(bpmn, params)
    raw = json.loads(params.read_text(encoding="utf-8"))
    inter = map_distribution(raw["arrival_time_distribution"], element="arrival_time_distribution", file=str(params))
    week = _calendar(raw["arrival_time_calendar"], "arrival_time_calendar", str(params)) if raw.get("arrival_time_calendar") \
        else [_office_week(mapping["office_hours"])] * 5 + [()] * 2
    out = []
    for seed in seeds:
        rng = np.random.default_rng([seed, 20210621])  # the arrival gaps' own stream
        gaps = inter.sample_array(rng.random(cases)).tolist()
        m = json.loads(json.dumps(mapping))
        m["start"] = START.date().isoformat()
        m["arrivals"] = {"times_h": prosimos_arrivals_h(gaps, week, START),
                         "source": f"prosimos: {params.name} arrival_time_distribution, instants placed as Prosimos places them"}
        result = sim.simulate(process, sim.parse_scenario(m), cases=cases, replications=1, seed=seed)
        rep = result.replications[0]
        tasks = {nid: t for nid, t in rep.tasks.items() if process.nodes[nid].kind == "task"}
        busy = [(a.utilisation, a.staff) for a in rep.agencies.values() if not math.isnan(a.utilisation)]
        out.append({"cycle_h": rep.metric("hours").mean,
                    "waiting_h": sum(t.waiting_h.mean * t.waiting_h.count for t in tasks.values() if t.waiting_h.count) / rep.cases,
                    "processing_h": sum(t.working_h.mean * t.working_h.count for t in tasks.values() if t.working_h.count) / rep.cases,
                    "utilisation": sum(u * s for u, s in busy) / sum(s for _, s in busy) if busy else math.nan,
                    "visits": {nid: t.waiting_h.count / rep.cases for nid, t in tasks.items()}})
    return out, list(process.notes)


def _office_week(text: str) -> tuple[tuple[float, float], ...]:
    """A working day's periods from the imported office hours (no arrival calendar in the JSON)."""
    from sim.model.calendar import OpeningHours

    return tuple(OpeningHours.parse(text).periods)


# -- the table ---------------------------------------------------------------------------------
def same_calendars(bpmn: Path, params: Path, out: Path) -> Path:
    """A copy of the Prosimos JSON whose resource calendars are the hours ReformSim imports for them."""
    from sim.interop.prosimos import import_prosimos
    from sim.model.calendar import OpeningHours

    process, mapping = import_prosimos(bpmn, params)
    raw = json.loads(params.read_text(encoding="utf-8"))
    hours_of: dict[str, str] = {}
    for entry in raw["task_resource_distribution"]:
        agency = process.nodes[entry["task_id"]].facts.agency
        for r in entry["resources"]:
            hours_of.setdefault(r["resource_id"], mapping["agencies"][agency]["hours"])

    def hhmm(h: float) -> str:
        return "23:59:59.999" if h >= 24 else f"{int(h):02d}:{round(h % 1 * 60):02d}:00"

    calendars = []
    for profile in raw["resource_profiles"]:
        for r in profile["resource_list"]:
            periods = OpeningHours.parse(hours_of.get(r["id"], mapping["office_hours"])).periods
            r["calendar"] = f"{r['id']}_as_imported"
            calendars.append({"id": r["calendar"], "name": r["calendar"], "time_periods": [
                {"from": "MONDAY", "to": "FRIDAY", "beginTime": hhmm(a), "endTime": hhmm(b)} for a, b in periods]})
    raw["resource_calendars"] = calendars
    out.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return out


def compare(name: str, examples: Path, cases: int, seeds: list[int]) -> dict[str, Any]:
    base = name.removesuffix(SAME_CALENDARS)
    bpmn, params = examples / f"{base}.bpmn", examples / f"{base}.json"
    if not (bpmn.exists() and params.exists()):
        return {"example": name, "status": f"missing: {bpmn} / {params}"}
    if name.endswith(SAME_CALENDARS):
        import tempfile

        params = same_calendars(bpmn, params, Path(tempfile.mkdtemp(prefix="prosimos-")) / f"{base}.json")
    from sim.errors import ReformSimError

    try:
        ours, notes = run_reformsim(bpmn, params, cases, seeds)
    except ReformSimError as exc:
        return {"example": name, "status": f"refused by the import: {exc}"}
    try:
        theirs = run_prosimos(bpmn, params, cases, seeds)
    except RuntimeError as exc:
        return {"example": name, "status": f"Prosimos 2.1.0 fails: {exc}"}
    rows = []
    for label, key in KPIS:
        p, r = ci95([x[key] for x in theirs]), ci95([x[key] for x in ours])
        # equal constant KPIs differ only by rounding: the imported scenario writes durations with 6 significant digits
        eps = 2e-6 * max(abs(p[0]), abs(r[0]), 1e-12)
        overlap = None if math.isnan(p[1]) else bool(r[1] <= p[2] + eps and p[1] <= r[2] + eps)
        rows.append({"kpi": label, "prosimos": p, "reformsim": r,
                     "diff_pct": 100 * (r[0] - p[0]) / p[0] if p[0] else math.nan, "agree": overlap})
    visits = {k: (sum(x["visits"].get(k, 0) for x in theirs) / len(theirs), sum(x["visits"].get(k, 0) for x in ours) / len(ours))
              for k in {k for x in theirs + ours for k in x["visits"]}}
    return {"example": name, "status": "compared", "rows": rows, "visits_per_case": visits, "notes": notes}


def _fmt(ci: tuple[float, float, float]) -> str:
    mean, lo, hi = ci
    return f"{mean:.4g}" if math.isnan(lo) else f"{mean:.4g} [{lo:.4g}, {hi:.4g}]"


def markdown(report: list[dict[str, Any]], cases: int, seeds: int) -> str:
    lines = [f"{seeds} seeds × {cases:,} cases per side; mean [95% interval across seeds].", "",
             "| example | KPI | Prosimos 2.1.0 | ReformSim | difference | intervals overlap |", "|---|---|---|---|---|---|"]
    for ex in report:
        if ex["status"] != "compared":
            lines.append(f"| {ex['example']} | — | {ex['status']} | | | |")
            continue
        for r in ex["rows"]:
            agree = "–" if r["agree"] is None else ("yes" if r["agree"] else "**no**")
            diff = "–" if math.isnan(r["diff_pct"]) else f"{r['diff_pct']:+.1f}%"
            lines.append(f"| {ex['example']} | {r['kpi']} | {_fmt(r['prosimos'])} | {_fmt(r['reformsim'])} | {diff} | {agree} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=Path, default=Path(os.environ.get("PROSIMOS_EXAMPLES", "/work/prosimos-examples")),
                    help="folder with <name>.bpmn and <name>.json (default /work/prosimos-examples)")
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--only", nargs="+", choices=EXAMPLES + VARIANTS, help="these examples only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    report = [compare(name, args.examples, args.cases, seeds) for name in (args.only or EXAMPLES + VARIANTS)]
    print(json.dumps(report, indent=1, ensure_ascii=False) if args.json else markdown(report, args.cases, args.seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
