"""``reformsim diff BEFORE AFTER --out FILE``: the two variants side by side, changes in colour.

The counts under the table are the one counter's (:func:`sim.analysis.paths.max_counts`), the same
that ``reformsim list`` and ``assess`` print.
"""

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


def counts_line(label: str, counts: object, lang: str = "en") -> str:
    """One variant's counts as ``diff`` prints them (``counts`` is a :class:`~sim.analysis.paths.MaxCounts`)."""
    statutory = counts.statutory_text(lang) or ("not stated" if lang == "en" else "未标注")  # type: ignore[attr-defined]
    return (f"{label:7} procedures {counts.procedures}, documents {counts.documents}, "  # type: ignore[attr-defined]
            f"stages {counts.stages}, statutory time {statutory} (worst path)")  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    from sim.bpmn.loader import load_bpmn
    from sim.report.diagram import check_figure_path
    from sim.report.diff import diff_processes, render_diff

    check_figure_path(args.out)  # before comparing: a bad --out costs no work
    before, after = load_bpmn(args.before), load_bpmn(args.after)
    d = diff_processes(before, after)
    for label, items in (("removed", d.removed), ("added", d.added), ("renamed", [f"{b} → {a}" for b, a in d.renamed]),
                         ("merged", [f"{'+'.join(m.sources)} → {m.target}" for m in d.merged]),
                         ("parallelised", [" ∥ ".join(p) for p in d.parallelised]),
                         ("shortened", [f"{c.after_id} ({c.what} {c.before:g} → {c.after:g} {c.unit})" for c in d.shortened]),
                         ("made online", d.made_online), ("commitment (告知承诺)", d.commitment)):
        if items:
            print(f"{label:22} {', '.join(items)}")
    for name, counts in (("before", d.before_counts), ("after", d.after_counts)):
        print(counts_line(name, counts))
    print(render_diff(before, after, args.out, lang=args.lang))
    return 0
