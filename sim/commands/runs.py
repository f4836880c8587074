"""``reformsim runs [--out DIR]``: list the runs recorded in the output folder's history."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "runs"
HELP = "列出输出文件夹中记录的运行 / list past runs recorded in the output folder (ids for `reformsim compare RUN_ID RUN_ID`)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("reformsim-out"), help="存有 runs.sqlite 的输出文件夹 / output folder holding runs.sqlite (default ./reformsim-out)")
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    from sim.commands import _args

    _args.add_lang(p)


def run(args: argparse.Namespace) -> int:
    from sim.commands._json import strict_json
    from sim.whatif.history import History

    history = History(args.out)
    rows = history.list()
    if args.json:
        print(strict_json(rows))
        return 0
    from sim.i18n import RUNS, pad, words

    t = words(RUNS, args.lang)
    if not rows:
        print(t["none"].format(path=history.path))
        return 0
    print(" ".join(pad(t[k], w, right=k in ("id", "seed", "reps", "cases", "workdays")) for k, w in
                   (("id", 4), ("when", 20), ("kind", 8), ("scenario", 34), ("hash", 16), ("seed", 6), ("reps", 5), ("cases", 6),
                    ("workdays", 9))) + "  " + t["code"])
    for r in rows:
        wd = (r["kpis"].get("workdays") or {}).get("mean")
        wd_text = f"{wd:9.2f}" if isinstance(wd, (int, float)) else f"{'—':>9}"
        print(f"{r['id']:>4} {r['created'][:19]:20} {r['kind'][:8]:8} {r['name'][:34]:34} {r['scenario_hash']:16} "
              f"{r['seed']:>6} {r['replications']:>5} {r['cases']:>6} {wd_text}  {r['code_version']}")
    return 0
