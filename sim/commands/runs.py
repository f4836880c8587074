"""``reformsim runs [--out DIR]``: list the runs recorded in the output folder's history."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "runs"
HELP = "list past runs recorded in the output folder (ids for `reformsim compare RUN_ID RUN_ID`)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("reformsim-out"), help="output folder holding runs.sqlite (default ./reformsim-out)")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from sim.commands._json import strict_json
    from sim.whatif.history import History

    history = History(args.out)
    rows = history.list()
    if args.json:
        print(strict_json(rows))
        return 0
    if not rows:
        print(f"no runs recorded in {history.path}")
        return 0
    print(f"{'id':>4} {'when (UTC)':20} {'kind':8} {'scenario':34} {'hash':16} {'seed':>6} {'reps':>5} {'cases':>6} "
          f"{'workdays':>9}  code")
    for r in rows:
        wd = (r["kpis"].get("workdays") or {}).get("mean")
        wd_text = f"{wd:9.2f}" if isinstance(wd, (int, float)) else f"{'—':>9}"
        print(f"{r['id']:>4} {r['created'][:19]:20} {r['kind'][:8]:8} {r['name'][:34]:34} {r['scenario_hash']:16} "
              f"{r['seed']:>6} {r['replications']:>5} {r['cases']:>6} {wd_text}  {r['code_version']}")
    return 0
