"""The fast executor against the compiled one (issue 13): cases/s and tasks/s in one run, same models.

Models: ``company_setup_2021`` and ``construction_lowrisk_2021`` on their documented defaults; a
queue-heavy variant of company setup (demand × ``QUEUE_DEMAND``, so the busiest agency runs at
utilisation ≥ 0.9); Prosimos's ``and_join`` example when ``../shared/interop/prosimos`` is there.
The bare SimPy walker of ``benchmarks/throughput.py`` runs on company setup (it handles only
share-routed gateways). Timed runs are interleaved and the fastest of ``--repeat`` counts (the
machine is shared); the first call, which loads or compiles the numba kernel, is timed apart.

Then the per-case cost of ``fast`` at 10,000, 100,000 and 1,000,000 cases (load and staff × 50, as the
memory runs of throughput.py, so a million cases fit the holiday calendar), and the start-up of a
fresh process: with an empty numba cache (the compile) and with the cache filled.

Example::

    .venv/bin/python benchmarks/fast_vs_compiled.py                    # table (markdown)
    .venv/bin/python benchmarks/fast_vs_compiled.py --cases 2000 --big 0 --json   # quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import sim  # noqa: E402
from sim.engine.executors import Compiled, Fast  # noqa: E402
from sim.model.scenario import resolve_scenario  # noqa: E402

PROCESSES = ROOT / "processes"
# the Prosimos examples live in shared/ beside the repository (or beside the folder of worktrees)
PROSIMOS = next((p / "shared" / "interop" / "prosimos" for p in (ROOT.parent, ROOT.parent.parent)
                 if (p / "shared" / "interop" / "prosimos").is_dir()), ROOT.parent / "shared" / "interop" / "prosimos")
QUEUE_DEMAND = 3.05  # assumption: benchmark load; public security at 5 staff goes from 0.32 to about 0.97 offered load
SCALE = 50  # assumption: benchmark load (as throughput.py's memory runs): arrivals and staff x 50, same utilisation


def tasks_done(result: sim.SimulationResult) -> int:
    return sum(len(path) * n for path, n in result.path_frequencies().items())


def company_queue_heavy() -> tuple[Any, sim.Scenario]:
    process = sim.load_process(PROCESSES / "company_setup_2021.bpmn")
    base = resolve_scenario(process, sim.Scenario())
    rate = (base.arrivals.rate_per_workday or 1.0) * QUEUE_DEMAND
    return process, sim.parse_scenario({"arrivals": {"rate_per_workday": rate, "source": "assumption: benchmark load"}})


def scaled(path: Path) -> tuple[Any, sim.Scenario]:
    process = sim.load_process(path)
    base = resolve_scenario(process, sim.Scenario())
    agencies = {a: {"staff": s.staff * SCALE, "source": "assumption: benchmark load"} for a, s in base.agencies.items()}
    rate = (base.arrivals.rate_per_workday or 1.0) * SCALE
    return process, sim.parse_scenario({"agencies": agencies,
                                        "arrivals": {"rate_per_workday": rate, "source": "assumption: benchmark load"}})


def and_join() -> tuple[Any, sim.Scenario] | None:
    if not (PROSIMOS / "and_join.bpmn").exists():
        return None
    process, mapping = sim.import_prosimos(PROSIMOS / "and_join.bpmn", PROSIMOS / "and_join.json")
    # 2004-01-05, a Monday: many and_join cases fit the holiday data (as vs_prosimos.py's performance runs)
    return process, sim.parse_scenario(dict(mapping, start=dt.date(2004, 1, 5).isoformat()))


def timed(process: Any, scenario: sim.Scenario | None, executor: Any, cases: int, seed: int = 1) -> dict[str, Any]:
    t0, c0 = time.perf_counter(), time.process_time()
    result = sim.simulate(process, scenario, cases=cases, replications=1, seed=seed, executor=executor)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    util = max((a["utilisation"] for a in result.agency_table()), default=float("nan"))
    return {"executor": result.executor, "cases": cases, "seconds": elapsed, "cpu_s": cpu, "cases_per_s": cases / elapsed,
            "cases_per_cpu_s": cases / cpu,
            "tasks_per_s": tasks_done(result) / elapsed, "max_utilisation": util,
            "workdays_mean": result.kpi("workdays").mean}


def compare(name: str, process: Any, scenario: sim.Scenario | None, cases: int, repeat: int, walker: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    sim.simulate(process, scenario, cases=50, replications=1, seed=99, executor=Fast())  # warm-up: kernel, tables
    warm = time.perf_counter() - t0
    best: dict[str, dict[str, Any]] = {}
    for _ in range(repeat):
        runs = {"compiled": timed(process, scenario, Compiled(), cases), "fast": timed(process, scenario, Fast(strict=True), cases)}
        if walker:
            import throughput

            runs["walker"] = throughput.run_walker(cases)
        for k, r in runs.items():
            if k not in best or r["seconds"] < best[k]["seconds"]:
                best[k] = r
    assert best["fast"]["workdays_mean"] == best["compiled"]["workdays_mean"], "fast and compiled disagree"
    return {"model": name, "warmup_s": warm, "runs": best,
            "fast_vs_compiled": best["fast"]["cases_per_s"] / best["compiled"]["cases_per_s"],
            "fast_vs_compiled_cpu": best["fast"]["cases_per_cpu_s"] / best["compiled"]["cases_per_cpu_s"]}


def per_case_cost(big: int) -> dict[str, Any]:
    process, scenario = scaled(PROCESSES / "company_setup_2021.bpmn")
    timed(process, scenario, Fast(strict=True), 2000)
    out = {}
    for n in sorted({10_000, 100_000, big}):
        r = timed(process, scenario, Fast(strict=True), n)
        out[n] = {"seconds": r["seconds"], "us_per_case": 1e6 * r["seconds"] / n, "cpu_us_per_case": 1e6 * r["cpu_s"] / n}
    return out


def start_up() -> dict[str, float]:
    """Seconds for a fresh process to import sim and run 100 fast cases: numba cache empty, then filled."""
    code = ("import time; t = time.perf_counter(); import sim; "
            f"sim.simulate({str(PROCESSES / 'company_setup_2021.bpmn')!r}, cases=100, replications=1, executor=sim.Fast()); "
            "print(time.perf_counter() - t)")
    plain = ("import time; t = time.perf_counter(); import sim; "
             f"sim.simulate({str(PROCESSES / 'company_setup_2021.bpmn')!r}, cases=100, replications=1); "
             "print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        run = [float(subprocess.run([sys.executable, "-c", c], env=env, capture_output=True, text=True, check=True).stdout)
               for c in (code, code, plain)]
    return {"first_compile_s": run[0], "cached_s": run[1], "compiled_executor_s": run[2]}


def markdown(report: dict[str, Any]) -> str:
    lines = ["| model | executor | cases/s | tasks/s | cases per CPU s | max utilisation | fast / compiled (wall, CPU) |",
             "|---|---|---|---|---|---|---|"]
    for m in report["models"]:
        for k in ("compiled", "fast", "walker"):
            r = m["runs"].get(k)
            if r:
                ratio = f"{m['fast_vs_compiled']:.1f}×, {m['fast_vs_compiled_cpu']:.1f}×" if k == "fast" else ""
                util = f"{r.get('max_utilisation', float('nan')):.2f}" if "max_utilisation" in r else ""
                cpu = f"{r['cases_per_cpu_s']:,.0f}" if "cases_per_cpu_s" in r else ""
                lines.append(f"| {m['model']} | {k} | {r['cases_per_s']:,.0f} | {r['tasks_per_s']:,.0f} | {cpu} | {util} | {ratio} |")
    lines.append("")
    lines.append("warm-up (first fast call in the process, kernel from numba's cache): " +
                 ", ".join(f"{m['model']} {m['warmup_s']:.2f} s" for m in report["models"]))
    if report.get("per_case"):
        lines.append("fast per-case cost (load × 50): " + ", ".join(
            f"{n:,} cases {v['us_per_case']:.2f} µs ({v['cpu_us_per_case']:.2f} µs CPU)" for n, v in report["per_case"].items()))
    if report.get("start_up"):
        s = report["start_up"]
        lines.append(f"fresh process, import + 100 cases: fast with an empty numba cache {s['first_compile_s']:.1f} s "
                     f"(the compile), cached {s['cached_s']:.1f} s; compiled {s['compiled_executor_s']:.1f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=10_000, help="cases per timed run (default 10000)")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved timed runs per executor; the fastest counts")
    ap.add_argument("--big", type=int, default=1_000_000, help="cases for the per-case cost at scale, 0 to skip")
    ap.add_argument("--no-start-up", action="store_true", help="skip the fresh-process start-up timings")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    models = [("company_setup_2021", sim.load_process(PROCESSES / "company_setup_2021.bpmn"), None, True),
              ("construction_lowrisk_2021", sim.load_process(PROCESSES / "construction_lowrisk_2021.bpmn"), None, False),
              ("company_setup_2021 queue-heavy", *company_queue_heavy(), False)]
    joined = and_join()
    if joined:
        models.append(("prosimos and_join", *joined, False))
    report: dict[str, Any] = {"python": sys.version.split()[0], "cases": args.cases,
                              "models": [compare(n, p, s, args.cases, args.repeat, w) for n, p, s, w in models]}
    if args.big:
        report["per_case"] = per_case_cost(args.big)
    if not args.no_start_up:
        report["start_up"] = start_up()
    print(json.dumps(report, indent=1, default=str) if args.json else markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
