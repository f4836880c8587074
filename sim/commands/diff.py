"""``reformsim diff BEFORE AFTER --out FILE``: the two variants side by side, changes in colour."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "diff"
HELP = "compare two variants of a chain: steps removed, added, merged, parallelised, shortened, made online"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("before", type=Path, help="BPMN before the reform")
    p.add_argument("after", type=Path, help="BPMN after the reform")
    p.add_argument("--out", type=Path, default=Path("diff.svg"), help="output .svg or .png (default diff.svg)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")


def run(args: argparse.Namespace) -> int:
    from sim.report.diagram import check_figure_path
    from sim.report.diff import diff_processes, render_diff

    check_figure_path(args.out)  # before comparing: a bad --out costs no work
    d = diff_processes(args.before, args.after)
    for label, items in (("removed", d.removed), ("added", d.added), ("merged", [f"{'+'.join(m.sources)} → {m.target}" for m in d.merged]),
                         ("parallelised", [" ∥ ".join(p) for p in d.parallelised]),
                         ("shortened", [f"{c.after_id} ({c.what} {c.before:g} → {c.after:g} workdays)" for c in d.shortened]),
                         ("made online", d.made_online), ("commitment (告知承诺)", d.commitment)):
        if items:
            print(f"{label:22} {', '.join(items)}")
    for name, counts in (("before", d.before_counts), ("after", d.after_counts)):
        if counts is not None:
            print(f"{name:7} procedures {counts.procedures}, documents {counts.documents}, statutory working days "
                  f"{'not stated' if counts.statutory_workdays is None else f'{counts.statutory_workdays:g}'}")
    print(render_diff(args.before, args.after, args.out, lang=args.lang))
    return 0
