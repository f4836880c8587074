"""Run Prosimos on one model for several seeds and print its KPIs as JSON (one line on stdout).

Runs under the Prosimos virtual environment's python (benchmarks/.prosimos-venv), never under
ReformSim's: it imports nothing from the project. Prosimos has no seed option, so each run seeds
Python's ``random`` and NumPy's global generator, which is what its samplers (scipy.stats) draw from.

Example::

    benchmarks/.prosimos-venv/bin/python benchmarks/prosimos_driver.py BPMN JSON \\
        --cases 1000 --seeds 1 2 3 --start 2021-06-21T00:00:00+00:00
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_once(bpmn: str, json_path: str, cases: int, seed: int, start: str) -> dict:
    """One seeded Prosimos run; the timed part is model setup + simulation (no log written)."""
    import numpy as np
    from prosimos.simulation_engine import SimBPMEnv, execute_full_process
    from prosimos.simulation_properties_parser import parse_datetime
    from prosimos.simulation_setup import SimDiffSetup
    from prosimos.simulation_stats_calculator import compute_resource_utilization

    random.seed(seed)
    np.random.seed(seed)
    t0 = time.perf_counter()
    setup = SimDiffSetup(bpmn, json_path, False, cases)
    setup.set_starting_datetime(parse_datetime(start, True))
    env = SimBPMEnv(setup, None, None)
    execute_full_process(env)
    elapsed = time.perf_counter() - t0

    traces = env.log_info.trace_list
    cycle_h = sorted((t.completed_at - t.started_at).total_seconds() / 3600 for t in traces)
    waiting, working, visits = {}, {}, {}
    for t in traces:
        for e in t.event_list:
            if getattr(e, "resource_id", None) is None:
                continue  # intermediate events have no resource
            waiting[e.task_id] = waiting.get(e.task_id, 0.0) + e.waiting_time / 3600
            # start -> end on the clock (nights included), as ReformSim's working_h
            working[e.task_id] = working.get(e.task_id, 0.0) + (e.completed_at - e.started_at) / 3600
            visits[e.task_id] = visits.get(e.task_id, 0) + 1
    util = compute_resource_utilization(env)
    utils = [r.utilization for r in util.values() if r.utilization >= 0]
    n = len(cycle_h)
    return {
        "seed": seed, "cases": n, "tasks": sum(visits.values()), "seconds": elapsed,
        "cycle_mean_h": sum(cycle_h) / n, "cycle_p50_h": _q(cycle_h, 0.5), "cycle_p90_h": _q(cycle_h, 0.9),
        "waiting_h": {k: waiting[k] / visits[k] for k in visits},
        "working_h": {k: working[k] / visits[k] for k in visits},
        "names": {k: setup.bpmn_graph.element_info[k].name for k in visits},
        "visits": visits,
        "utilisation": statistics.fmean(utils) if utils else float("nan"),
        "resources": len(utils),
    }


def _q(sorted_values: list[float], p: float) -> float:
    """Linear-interpolated quantile of sorted values (numpy's default)."""
    pos = p * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bpmn")
    ap.add_argument("json_path")
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--start", default="2021-06-21T00:00:00+00:00")
    args = ap.parse_args(argv)
    import prosimos.simulation_engine  # noqa: F401  (imports counted in the baseline RSS)

    base = _rss_mb()
    runs = [run_once(args.bpmn, args.json_path, args.cases, s, args.start) for s in args.seeds]
    print(json.dumps({"simulator": "prosimos", "runs": runs, "rss_base_mb": base, "rss_peak_mb": _rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
