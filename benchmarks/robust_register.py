"""The whole register's default robust assessment, timed: what ``reformsim assess --no-report`` does (robust by default).

Run by hand (not a timed test): ``.venv/bin/python benchmarks/robust_register.py [--points 16] [--workers 2]``.
Times the verdicts (``sim.analysis.assess.assess`` at its defaults) and the robustness pass
(``sim.analysis.robustness.assess_robustness``) apart, prints the simulations each took, the machine's
load average (the figure is only comparable on a quiet machine) and, per judged row, its class and the design
points it used (twice the default where the adaptive step doubled them).
The numba kernel is loaded (and compiled, on a fresh clone) before the clock starts.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=None, help="Sobol' points in each half of the design (default: assess's)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--maps", action="store_true", help="also simulate the break-even maps (what a report adds)")
    args = ap.parse_args()

    import sim
    from sim.analysis.assess import assess
    from sim.analysis.robustness import DEFAULT_POINTS, assess_robustness, summary
    from sim.engine.backends import backend_for
    from sim.targets import load_register

    sim.simulate(ROOT / "processes" / "company_setup_2021.bpmn", cases=5, replications=1, seed=1, executor=sim.Fast())
    load = os.getloadavg()

    def cpu() -> float:  # this process and its finished pool workers (the pools are shut down after each batch)
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c0, t0 = cpu(), time.perf_counter()
    a = assess(load_register(ROOT / "scenarios" / "targets.yaml"))
    c1, t1 = cpu(), time.perf_counter()
    assess_robustness(a, points=args.points or DEFAULT_POINTS, backend=backend_for(args.workers), maps=args.maps)
    c2, t2 = cpu(), time.perf_counter()
    s = summary(a) or {}
    print(f"load average before: {load[0]:.1f} (1 min), {os.cpu_count()} cores; {args.workers} workers")
    print(f"verdicts:   {t1 - t0:7.1f} s wall, {c1 - c0:7.1f} s CPU ({a.replications} replications × {a.cases} cases a chain)")
    print(f"robustness: {t2 - t1:7.1f} s wall, {c2 - c1:7.1f} s CPU ({s.get('runs')} runs over {s.get('chains')} chains, "
          f"{s.get('points')} design points each; classes {s.get('counts')})")
    print(f"total:      {t2 - t0:7.1f} s wall, {c2 - c0:7.1f} s CPU (on an otherwise idle machine the wall time is "
          f"about the verdicts' CPU plus the robustness CPU / {args.workers})")
    for r in a.rows:
        if r.robustness:
            be = "; ".join(b["sentence"]["en"] for b in r.break_even or [] if b["value"] is not None)
            print(f"  {r.target:4} {r.check[:24]:24} {r.verdict:14} {r.robustness['class']:12} "
                  f"{r.robustness['share']:.0%} [{r.robustness['lo']:.0%}, {r.robustness['hi']:.0%}] "
                  f"{r.robustness['points']:3} pts  {be[:140]}")


if __name__ == "__main__":
    main()
