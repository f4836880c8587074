"""ReformSim checked against the peer simulator Prosimos (issue 6 item 5).

Both simulators run the same Prosimos model (``../shared/interop/prosimos/<model>.bpmn/.json``,
imported into ReformSim with :func:`sim.import_prosimos`), each in a fresh subprocess so peak RSS
is per run. Prosimos 2.1.0 lives in its own virtual environment (``benchmarks/.prosimos-venv``,
created on first use, git-ignored); it is never a dependency of ReformSim.

Three sides:

* **Prosimos**, seeded through ``random``/NumPy (``benchmarks/prosimos_driver.py``);
* **ReformSim matched**: the imported model with the scenario set to Prosimos's semantics as
  closely as the engine allows — Prosimos's deterministic arrival instants (every 20 min while the
  arrival calendar is open) as ``arrivals.times_h``, and a start date in a window without official
  holidays or 调休 make-up days (2021-06-21 .. 2021-09-17); durations as imported (Prosimos's
  shifted exponential cut at its max is ReformSim's ``truncexp``);
* **ReformSim as imported**: the importer's scenario unchanged (Poisson arrivals over office
  hours), to show what the mapping alone gives.

KPIs (mean/P50/P90 cycle time, per-task waiting, utilisation) get 95% intervals across seeds
(``--kpi-cases`` cases, ``--seeds`` seeds per side). Throughput and peak memory come from one run
of ``--cases`` cases per simulator (Prosimos vs ReformSim matched).

Bars: matched KPIs agree with Prosimos (95% intervals overlap); ReformSim throughput >= 10x
Prosimos's (issue 13: >= 300x with the ``fast`` executor); ReformSim peak RSS at 100,000 cases <= 1/4
of Prosimos's.

ReformSim runs with ``--executor`` (``fast`` by default, as assess and sweeps do; ``compiled`` is the
SimPy reference). Each ReformSim worker first runs 50 cases to load the numba kernel from its cache
(or compile it); that warm-up is timed apart and reported, not counted in the throughput.

Example::

    .venv/bin/python benchmarks/vs_prosimos.py --cases 2000 --seeds 3        # quick look
    .venv/bin/python benchmarks/vs_prosimos.py --cases 100000               # the bars
    .venv/bin/python benchmarks/vs_prosimos.py --cases 100000 --executor compiled   # the SimPy reference
    .venv/bin/python benchmarks/vs_prosimos.py --model credit_application --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# not copied into the repo (the files have no licence): shared/ beside the repository, or beside its folder of worktrees
SHARED = next((p / "shared" / "interop" / "prosimos" for p in (ROOT.parent, ROOT.parent.parent)
               if (p / "shared" / "interop" / "prosimos").is_dir()), ROOT.parent / "shared" / "interop" / "prosimos")
VENV = ROOT / "benchmarks" / ".prosimos-venv"
DRIVER = ROOT / "benchmarks" / "prosimos_driver.py"
PROSIMOS = "prosimos==2.1.0"
MODELS = ("and_join", "credit_application")
KPI_START = dt.date(2021, 6, 21)  # Monday; no official holiday or make-up day until 2021-09-18
KPI_WINDOW_END = dt.date(2021, 9, 17)
PERF_START = dt.date(2004, 1, 5)  # Monday; 100,000 and_join cases (~17 years) fit the holiday data (2004-2026)
BARS = {"throughput_x": 10.0, "memory_ratio": 0.25}
FAST_BAR_X = 300.0  # issue 13: the fast executor's tasks/s against Prosimos's
WARMUP_CASES = 50
REMAINING = (
    "durations: none left: Prosimos samples min + Exp(mean - min) and redraws above max; the importer maps that "
    "to ReformSim's truncexp(scale, min, max), the same law sampled by inverse CDF",
    "calendar: Prosimos repeats a 7-day week with no holidays; ReformSim uses the official calendar, so the KPI "
    "runs start 2021-06-21, in a window with no holiday or 调休 day (1,000 cases end by mid-August)",
    "resources: Prosimos allocates 10 individual resources; ReformSim one pool of 10 staff (same FIFO queue)",
)


# -- Prosimos side --------------------------------------------------------------------------------
def ensure_prosimos() -> Path:
    """The Prosimos venv's python, creating the venv and installing Prosimos only when missing."""
    py = VENV / "bin" / "python"
    ok = py.exists() and subprocess.run([str(py), "-c", "import prosimos.simulation_engine"],
                                        capture_output=True).returncode == 0
    if not ok:
        print(f"installing {PROSIMOS} into {VENV} (once) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", PROSIMOS], check=True)
    return py


def run_prosimos(model: str, cases: int, seeds: list[int], start: dt.date) -> dict[str, Any]:
    py = ensure_prosimos()
    cmd = [str(py), str(DRIVER), str(SHARED / f"{model}.bpmn"), str(SHARED / f"{model}.json"),
           "--cases", str(cases), "--seeds", *map(str, seeds), "--start", f"{start.isoformat()}T00:00:00+00:00"]
    return _child(cmd)


# -- ReformSim side -------------------------------------------------------------------------------
def run_reformsim(model: str, cases: int, seeds: list[int], variant: str, start: dt.date, executor: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", variant, "--model", model, "--executor", executor,
           "--cases", str(cases), "--_seeds", *map(str, seeds), "--_start", start.isoformat()]
    return _child(cmd)


def _child(cmd: list[str]) -> dict[str, Any]:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:2])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def prosimos_arrivals_h(cases: int, start: dt.date, periods: list[tuple[float, float]], gap_h: float) -> list[float]:
    """Prosimos's arrival instants for a fixed inter-arrival time, in hours from ``start`` 00:00.

    Prosimos adds the gap and moves an instant that falls outside the arrival calendar to the next
    opening; on ReformSim's side only official working days are open.

    >>> prosimos_arrivals_h(3, dt.date(2021, 6, 25), [(9.0, 17.0)], 4.0)   # Friday 9:00, 13:00, then Monday 9:00
    [9.0, 13.0, 81.0]
    """
    from sim.model.calendar import is_official_workday

    out: list[float] = []
    day = 0
    while len(out) < cases:
        if is_official_workday(start + dt.timedelta(days=day)):
            for a, b in periods:
                t = a
                while t < b - 1e-9 and len(out) < cases:
                    out.append(round(24 * day + t, 9))
                    t += gap_h
        day += 1
    return out


def matched_mapping(model: str, mapping: dict[str, Any], cases: int, start: dt.date) -> dict[str, Any]:
    """The imported scenario set to Prosimos's semantics as far as the engine allows (see module doc)."""
    from sim.model.calendar import OpeningHours

    params = json.loads((SHARED / f"{model}.json").read_text(encoding="utf-8"))
    m = json.loads(json.dumps(mapping))
    m["start"] = start.isoformat()
    arrival = params["arrival_time_distribution"]
    if arrival["distribution_name"] == "fix":
        gap_h = float(arrival["distribution_params"][0]["value"]) / 3600
        periods = list(OpeningHours.parse(m["office_hours"]).periods)
        m["arrivals"] = {"times_h": prosimos_arrivals_h(cases, start, periods, gap_h),
                         "source": f"prosimos: {model}.json arrival_time_distribution fix {gap_h * 3600:g} s, "
                                   "instants as Prosimos places them in arrival_time_calendar"}
    # durations: the importer maps Prosimos's expon [mean, min, max] to truncexp exactly, so nothing to change
    return m


def reformsim_worker(model: str, variant: str, cases: int, seeds: list[int], start: dt.date, executor: str) -> dict[str, Any]:
    """Runs in its own process: one replication per seed; prints per-run KPIs."""
    sys.path.insert(0, str(ROOT))
    import sim
    from sim.engine.executors import executor_for

    from sim.model.bounds import MAX_DURATION

    process, mapping = sim.import_prosimos(SHARED / f"{model}.bpmn", SHARED / f"{model}.json")
    parts = 1  # a scenario's arrival instants may span MAX_DURATION hours (10 years): more cases run as replications
    if variant == "matched":
        while True:
            per_part = -(-cases // parts)
            matched = matched_mapping(model, mapping, per_part, start)
            times = matched.get("arrivals", {}).get("times_h") or [0.0]
            if times[-1] <= MAX_DURATION["hour"] or per_part == 1:
                break
            parts += 1
        mapping, cases = matched, per_part
    else:
        mapping = dict(mapping, start=start.isoformat())
    scenario = sim.parse_scenario(mapping)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    chosen = executor_for(executor)
    t0 = time.perf_counter()  # warm-up: the fast kernel loaded from numba's cache (or compiled), timed apart
    sim.simulate(process, scenario, cases=min(WARMUP_CASES, cases), replications=1, seed=0, executor=chosen)
    warmup = time.perf_counter() - t0
    runs = []
    for seed in seeds:
        t0 = time.perf_counter()
        result = sim.simulate(process, scenario, cases=cases, replications=parts, seed=seed, executor=chosen)
        if result.executor != executor:
            raise SystemExit(f"asked for the {executor} executor, {result.executor} ran: {result.notes}")
        elapsed = time.perf_counter() - t0
        rep = result.replications[0]
        hours = rep.metric("hours")
        tasks = {nid: t for nid, t in rep.tasks.items() if process.nodes[nid].kind == "task"}
        utils = [a.utilisation for a in rep.agencies.values() if not math.isnan(a.utilisation)]
        staff = [a.staff for a in rep.agencies.values() if not math.isnan(a.utilisation)]
        runs.append({
            "seed": seed, "cases": sum(r.cases for r in result.replications), "replications": parts,
            "tasks": sum(r.tasks[nid].waiting_h.count for r in result.replications for nid in tasks), "seconds": elapsed,
            "cycle_mean_h": hours.mean, "cycle_p50_h": hours.quantile(0.5), "cycle_p90_h": hours.quantile(0.9),
            "waiting_h": {nid: t.waiting_h.mean for nid, t in tasks.items()},
            "working_h": {nid: t.working_h.mean for nid, t in tasks.items()},
            "names": {nid: t.name for nid, t in tasks.items()},
            # staff-weighted, as Prosimos's figure is the mean over individual resources
            "utilisation": sum(u * s for u, s in zip(utils, staff)) / sum(staff) if staff else math.nan,
            "resources": sum(staff),
        })
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"simulator": f"reformsim-{variant}", "runs": runs, "rss_base_mb": base, "rss_peak_mb": peak,
            "notes": list(process.notes), "executor": executor, "warmup_s": warmup}


# -- comparison -----------------------------------------------------------------------------------
def ci95(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t interval across seeds."""
    from scipy import stats

    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def kpi_rows(sides: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per KPI: each side's mean and interval; ``agree`` when the matched and Prosimos intervals overlap."""
    pro = sides["prosimos"]["runs"]
    names = pro[0]["names"]
    keys: list[tuple[str, Any]] = [("cycle time mean (h)", lambda r: r["cycle_mean_h"]),
                                   ("cycle time P50 (h)", lambda r: r["cycle_p50_h"]),
                                   ("cycle time P90 (h)", lambda r: r["cycle_p90_h"]),
                                   ("resource utilisation", lambda r: r["utilisation"])]
    for tid in sorted(names, key=lambda t: names[t] or t):
        keys.append((f"waiting (h): {names[tid] or tid}", lambda r, t=tid: r["waiting_h"].get(t, math.nan)))
    for tid in sorted(names, key=lambda t: names[t] or t):
        keys.append((f"in service (h, start→end): {names[tid] or tid}", lambda r, t=tid: r["working_h"].get(t, math.nan)))
    rows = []
    for label, get in keys:
        row: dict[str, Any] = {"kpi": label}
        for side, data in sides.items():
            row[side] = ci95([get(r) for r in data["runs"]])
        p, m = row["prosimos"], row["reformsim-matched"]
        row["agree"] = bool(m[1] <= p[2] and p[1] <= m[2]) if not math.isnan(p[1]) else None
        rows.append(row)
    return rows


def perf_row(data: dict[str, Any]) -> dict[str, Any]:
    run = data["runs"][0]
    return {"cases": run["cases"], "replications": run.get("replications", 1), "tasks": run["tasks"], "seconds": run["seconds"],
            "cases_per_s": run["cases"] / run["seconds"], "tasks_per_s": run["tasks"] / run["seconds"],
            "rss_peak_mb": data["rss_peak_mb"], "rss_base_mb": data["rss_base_mb"],
            "cycle_mean_h": run["cycle_mean_h"], "executor": data.get("executor"), "warmup_s": data.get("warmup_s")}


def _fmt(ci: tuple[float, float, float]) -> str:
    mean, lo, hi = ci
    return f"{mean:.4g}" if math.isnan(lo) else f"{mean:.4g} [{lo:.4g}, {hi:.4g}]"


def markdown(report: dict[str, Any]) -> str:
    a = report["args"]
    lines = [f"**{a['model']}**: KPIs over {a['seeds']} seeds × {a['kpi_cases']:,} cases per side (mean [95% CI]); "
             f"performance from one run of {a['cases']:,} cases per simulator, each in a fresh process; ReformSim on "
             f"the `{a['executor']}` executor, after a {WARMUP_CASES}-case warm-up of "
             f"{report['perf']['reformsim']['warmup_s']:.2f} s (not counted)"
             + (f"; its cases as {report['perf']['reformsim']['replications']} replications, since a scenario's arrival "
                "instants span at most 10 years" if report['perf']['reformsim']['replications'] > 1 else "") + ".", "",
             "| KPI | Prosimos 2.1.0 | ReformSim (matched) | agree | ReformSim (as imported) |",
             "|---|---|---|---|---|"]
    for r in report["kpis"]:
        agree = "–" if r["agree"] is None else ("yes" if r["agree"] else "**no**")
        lines.append(f"| {r['kpi']} | {_fmt(r['prosimos'])} | {_fmt(r['reformsim-matched'])} | {agree} | "
                     f"{_fmt(r['reformsim-imported'])} |")
    p, s = report["perf"]["prosimos"], report["perf"]["reformsim"]
    lines += ["", "| performance | Prosimos 2.1.0 | ReformSim (matched) | ratio |", "|---|---|---|---|",
              f"| cases/s | {p['cases_per_s']:,.0f} | {s['cases_per_s']:,.0f} | {s['cases_per_s'] / p['cases_per_s']:.1f}× |",
              f"| tasks/s | {p['tasks_per_s']:,.0f} | {s['tasks_per_s']:,.0f} | {s['tasks_per_s'] / p['tasks_per_s']:.1f}× |",
              f"| peak RSS (MB), {a['cases']:,} cases | {p['rss_peak_mb']:,.0f} | {s['rss_peak_mb']:,.0f} | "
              f"{s['rss_peak_mb'] / p['rss_peak_mb']:.2f} |",
              f"| RSS after imports (MB) | {p['rss_base_mb']:,.0f} | {s['rss_base_mb']:,.0f} | |", ""]
    lines += ["Model differences that remain on the matched side:"] + [f"- {d}" for d in REMAINING] + [""]
    for name, bar in report["bars"].items():
        lines.append(f"- {name}: {bar['value']} — {'met' if bar['met'] else ('**not met**' if bar['met'] is False else 'not measured')}"
                     f" ({bar['rule']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="ReformSim vs Prosimos on the same imported model")
    ap.add_argument("--model", choices=MODELS, default="and_join")
    ap.add_argument("--cases", type=int, default=10_000, help="cases of the throughput/memory run (bars: 100000)")
    ap.add_argument("--kpi-cases", type=int, default=1_000, help="cases per seed for the KPI comparison")
    ap.add_argument("--seeds", type=int, default=10, help="seeds per side for the KPI intervals")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--executor", choices=("fast", "compiled"), default="fast", help="ReformSim's executor (default fast)")
    ap.add_argument("--_worker", choices=("matched", "imported"), help=argparse.SUPPRESS)
    ap.add_argument("--_seeds", type=int, nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--_start", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._worker:
        out = reformsim_worker(args.model, args._worker, args.cases, args._seeds, dt.date.fromisoformat(args._start),
                               args.executor)
        print(json.dumps(out))
        return 0
    if not (SHARED / f"{args.model}.bpmn").exists():
        raise SystemExit(f"{SHARED}/{args.model}.bpmn not found: the Prosimos examples live in shared/ beside the repo")
    seeds = list(range(1, args.seeds + 1))
    if args.kpi_cases > 24 * 60:
        print(f"note: {args.kpi_cases} cases may run past {KPI_WINDOW_END} into official holidays "
              "(matched side only)", file=sys.stderr)
    sides = {
        "prosimos": run_prosimos(args.model, args.kpi_cases, seeds, KPI_START),
        "reformsim-matched": run_reformsim(args.model, args.kpi_cases, seeds, "matched", KPI_START, args.executor),
        "reformsim-imported": run_reformsim(args.model, args.kpi_cases, seeds, "imported", KPI_START, args.executor),
    }
    perf = {"prosimos": perf_row(run_prosimos(args.model, args.cases, [1], PERF_START)),
            "reformsim": perf_row(run_reformsim(args.model, args.cases, [1], "matched", PERF_START, args.executor))}
    kpis = kpi_rows(sides)
    tp = perf["reformsim"]["tasks_per_s"] / perf["prosimos"]["tasks_per_s"]
    mem = perf["reformsim"]["rss_peak_mb"] / perf["prosimos"]["rss_peak_mb"]
    disagree = [r["kpi"] for r in kpis if r["agree"] is False]
    bars = {
        "KPIs agree (matched vs Prosimos)": {"value": f"{sum(r['agree'] is True for r in kpis)}/{len(kpis)} intervals overlap"
                                             + (f"; differ: {', '.join(disagree)}" if disagree else ""),
                                             "met": not disagree if len(seeds) > 1 else None,
                                             "rule": "95% intervals across seeds overlap"},
        "throughput": {"value": f"{tp:.1f}×", "met": tp >= BARS["throughput_x"], "rule": "ReformSim tasks/s >= 10× Prosimos's"},
        **({"fast throughput": {"value": f"{tp:.1f}×", "met": tp >= FAST_BAR_X,
                                "rule": f"fast executor tasks/s >= {FAST_BAR_X:.0f}× Prosimos's (issue 13)"}}
           if args.executor == "fast" else {}),
        "memory": {"value": f"{mem:.2f} at {args.cases:,} cases",
                   "met": (mem <= BARS["memory_ratio"]) if args.cases >= 100_000 else None,
                   "rule": "ReformSim peak RSS <= 1/4 of Prosimos's at 100,000 cases"},
    }
    report = {"args": {"model": args.model, "cases": args.cases, "kpi_cases": args.kpi_cases, "seeds": args.seeds,
                       "executor": args.executor},
              "kpis": kpis, "perf": perf, "bars": bars, "notes": sides["reformsim-imported"]["notes"]}
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
