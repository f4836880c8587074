"""``reformsim diff BEFORE AFTER --out FILE``: the two variants side by side, changes in colour.

The counts under the table are the one counter's (:func:`sim.analysis.paths.max_counts`), the same
that ``reformsim list`` and ``assess`` print.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "diff"
HELP = "对比链条的两个版本：删除、新增、合并、并行、压缩时限、网上办理的环节 / compare two variants of a chain: steps removed, added, merged, parallelised, shortened, made online"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("before", type=Path, help="改革前的 BPMN / BPMN before the reform")
    p.add_argument("after", type=Path, help="改革后的 BPMN / BPMN after the reform")
    p.add_argument("--out", type=Path, default=Path("diff.svg"), help="输出 .svg 或 .png（默认 diff.svg） / output .svg or .png (default diff.svg)")
    from sim.commands import _args

    _args.add_lang(p)


def counts_line(label: str, counts: object, lang: str = "zh") -> str:
    """One variant's counts as ``diff`` prints them (``counts`` is a :class:`~sim.analysis.paths.MaxCounts`)."""
    from sim.i18n import DIFF, words

    t = words(DIFF, lang)
    statutory = counts.statutory_text(lang) or t["no_statutory"]  # type: ignore[attr-defined]
    return t["line"].format(label=t.get(label, label), procedures=counts.procedures, documents=counts.documents,  # type: ignore[attr-defined]
                            stages=counts.stages, statutory=statutory)  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    from sim.bpmn.loader import load_bpmn
    from sim.report.diagram import check_figure_path
    from sim.report.diff import diff_processes, render_diff

    check_figure_path(args.out)  # before comparing: a bad --out costs no work
    before, after = load_bpmn(args.before), load_bpmn(args.after)
    d = diff_processes(before, after)
    from sim.i18n import DIFF, UNITS, pad, words

    t, units = words(DIFF, args.lang), words(UNITS, args.lang)
    for label, items in (("removed", d.removed), ("added", d.added), ("renamed", [f"{b} → {a}" for b, a in d.renamed]),
                         ("merged", [f"{'+'.join(m.sources)} → {m.target}" for m in d.merged]),
                         ("parallelised", [" ∥ ".join(p) for p in d.parallelised]),
                         ("shortened", [f"{c.after_id} ({t['what'].get(c.what, c.what)} {c.before:g} → {c.after:g} {units.get(c.unit, c.unit)})" for c in d.shortened]),
                         ("made_online", d.made_online), ("commitment", d.commitment)):
        if items:
            print(f"{pad(t[label], 28)} {', '.join(items)}")
    for name, counts in (("before", d.before_counts), ("after", d.after_counts)):
        print(counts_line(name, counts, args.lang))
    for line in measure_lines(before.process, after.process, args.lang):
        print(line)
    print(render_diff(before, after, args.out, lang=args.lang))
    return 0


def measure_lines(before: object, after: object, lang: str = "zh") -> list[str]:
    """The plan's measures the after-model was built from (its measures file), each with its clause and, when the
    before-model is that file's baseline, the steps it changed; no lines for a model not built from measures."""
    from sim.i18n import DIFF, words
    from sim.model.measures import measure_diff, measures_of

    m = measures_of(after)  # type: ignore[arg-type]
    if m is None:
        return []
    t = words(DIFF, lang)
    changed = {c.measure.id: c.elements for c in measure_diff(before, m)} if before.id == m.baseline else {}  # type: ignore[attr-defined]
    lines = [t["measures"].format(file=f"measures/{m.model}.yaml", baseline=m.baseline)]
    for x in m.measures:
        steps = [e for e in changed.get(x.id, ()) if not e.startswith("f_")]
        where = f" → {', '.join(steps)}" if steps else ""
        lines.append(f"  {x.clause or t['case']}  {x.label(lang)}{where}")
    return lines
