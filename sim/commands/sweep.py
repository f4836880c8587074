"""``reformsim sweep SCENARIO --vary PATH=1..6 ...``: a grid of runs, a CSV table, an attainment plot."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

NAME = "sweep"
HELP = "run a scenario over a grid of settings; table, plot and the cheapest point that reaches a target"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("scenario", type=Path, help="scenario YAML")
    p.add_argument("--vary", action="append", required=True, metavar="PATH=VALUES",
                   help="a setting and its values: agencies.market_regulation.staff=1..6 or arrivals.rate_per_workday=10,20,40 (repeatable)")
    p.add_argument("--target-metric", help="KPI of the target, e.g. workdays")
    p.add_argument("--target-max", type=_args.finite, help="a case meets the target when metric <= this")
    p.add_argument("--required", type=_args.required_share, default=0.95, help="share of cases that must meet it (default 0.95)")
    p.add_argument("--replications", type=_args.positive_int, help="replications per point (default: the scenario's)")
    p.add_argument("--cases", type=_args.positive_int, help="cases per replication (default: the scenario's)")
    p.add_argument("--seed", type=_args.seed, help="seed, the same at every point (default: the scenario's)")
    p.add_argument("--workers", type=_args.workers, default=1, help="local processes (default 1)")
    p.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--out", type=Path, default=Path("reformsim-out"), help="output folder (default ./reformsim-out)")


def run(args: argparse.Namespace) -> int:
    from sim.scenarios import load_scenario_mapping
    from sim.commands import stderr_progress
    from sim.commands._json import strict_json
    from sim.files import atomic_write
    from sim.whatif.history import History
    from sim.report.plots import sweep_png
    from sim.whatif.sweep import parse_vary, sweep

    history = History(args.out)
    history.check_writable()  # before simulating: a bad --out or a locked history costs no work
    varies = [parse_vary(v) for v in args.vary]
    settings = load_scenario_mapping(args.scenario)
    result, runs = sweep(settings, varies, file=str(args.scenario), cases=args.cases, replications=args.replications,
                         seed=args.seed, target_metric=args.target_metric, target_max=args.target_max, required=args.required,
                         workers=args.workers, scheduler=args.scheduler, progress=stderr_progress("sweep"))
    history.record_results([(r, spec.hash, str(args.scenario)) for spec, r in runs], kind="sweep")  # all points or none
    runs = [r for _, r in runs]
    csv_path = atomic_write(args.out / "sweep.csv", result.csv())
    png_path = atomic_write(args.out / "sweep.png", sweep_png(result), make_parents=True)
    atomic_write(args.out / "sweep.json", strict_json({"vary": dict(varies), "target": result.target, "cheapest": result.cheapest,
                                                       "rows": result.rows}))
    print(f"{len(result.rows)} points × {len(runs[0].replications)} replications × {runs[0].scenario.cases} cases, seed {runs[0].seed}")
    cols = list(result.rows[0])
    print("  ".join(f"{c[-24:]:>12}" for c in cols))
    for i, r in enumerate(result.rows):
        cells = [f"{v:12.3f}" if isinstance(v, float) and not math.isnan(v) else f"{str(v):>12}" for v in r.values()]
        print("  ".join(cells) + ("   ← cheapest reachable" if i == result.cheapest else ""))
    if result.target:
        if result.cheapest is None:
            print(f"\nno point reaches {result.target['metric']} ≤ {result.target['max']:g} for {result.target['required']:.0%} of cases")
        else:
            c = result.rows[result.cheapest]
            print("\ncheapest reachable point: " + ", ".join(f"{n} = {c[n]}" for n in result.names)
                  + f" (attainment {c['attainment']:.1%})")
    print(f"\ntable: {csv_path}\nplot:  {png_path}\nhistory: {history.path}")
    return 0

