"""Sweep benchmark: 50 points × 100 replications on the low-risk construction chain, serial vs a 2-process pool.

Run by hand: ``.venv/bin/python benchmarks/sweep.py [--cases 10] [--workers 2]``.
Checks the parallel results equal the serial ones, and prints both times and the speed-up.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.scenarios import load_scenario_mapping
from sim.whatif.sweep import parse_vary, sweep

ROOT = Path(__file__).parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cases", type=int, default=40,
                    help="cases per replication (default 40: at 10 the per-job overhead of a process pool dominates)")
    ap.add_argument("--replications", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    settings = load_scenario_mapping(ROOT / "scenarios" / "construction_lowrisk_2021.yaml")
    # 10 × 5 = 50 points
    varies = [parse_vary("agencies.housing_construction.staff=1..10"), parse_vary("arrivals.rate_per_workday=1,2,4,6,8")]
    kw = dict(cases=args.cases, replications=args.replications, seed=2021, target_metric="workdays", target_max=30.0)
    t0 = time.perf_counter()
    serial, _ = sweep(settings, varies, workers=1, **kw)
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    parallel, _ = sweep(settings, varies, workers=args.workers, **kw)
    t_parallel = time.perf_counter() - t0
    assert serial.rows == parallel.rows, "parallel results differ from serial ones"
    n = len(serial.rows)
    print(f"{n} points × {args.replications} replications × {args.cases} cases, low-risk construction 2021")
    print(f"serial:      {t_serial:8.1f} s")
    print(f"{args.workers} workers:   {t_parallel:8.1f} s")
    print(f"speed-up:    {t_serial / t_parallel:8.2f}×  (results identical: yes)")


if __name__ == "__main__":
    main()
