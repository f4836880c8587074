"""``reformsim fit LOG.csv|LOG.xes [--process FILE.bpmn] --out overlay.yaml``: calibrate from an event log."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "fit"
HELP = "从事件日志拟合环节用时、到达率和办公时间，写出情景叠加文件 / fit step durations, arrival rate and office hours from an event log; write a scenario overlay"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("log", type=Path, help="事件日志（pm4py 列的 .csv，或 .xes） / event log (.csv with pm4py columns, or .xes)")
    p.add_argument("--process", type=Path, help="与活动匹配的 BPMN 文件 / BPMN file whose steps the activities are matched to")
    p.add_argument("--out", type=Path, default=Path("fitted.yaml"), help="要写出的情景叠加文件 / scenario overlay to write (default fitted.yaml)")
    p.add_argument("--elapsed", action="store_true",
                   help="拟合开始至结束的经过时间 / fit elapsed start→end time; by default only open office hours count, as the engine's work does")
    from sim.commands import _args

    _args.add_lang(p)


def run(args: argparse.Namespace) -> int:
    from sim.files import output_file

    output_file(args.out, what="scenario overlay")  # before fitting (and importing pandas): a bad --out costs no work
    from sim.bpmn.loader import load_process
    from sim.interop.fit import fit_log, write_overlay

    process = load_process(args.process) if args.process else None
    result = fit_log(args.log, process, work="elapsed" if args.elapsed else "open")
    from sim.i18n import FIT, pad, words

    t = words(FIT, args.lang)
    print(t["head"].format(cases=result.cases, workdays=result.workdays, rate=result.rate_per_workday,
                           hours=result.office_hours or t["not_found"]))
    print(f"{pad(t['step'], 28)} {'n':>6} {pad(t['fit'], 34)} {t['ks']:>6}")
    for key, fit in result.activities.items():
        print(f"{key[:28]:28} {fit.n:6d} {fit.dist!r:34} {fit.ks_pvalue:6.3f}")
    for key, items in (("unmatched", result.unmatched), ("missing", result.missing), ("notes", result.notes)):
        if items:
            print(f"{t[key]}: " + "; ".join(items))
    write_overlay(result, args.out)
    print(args.out)
    return 0
