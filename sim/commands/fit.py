"""``reformsim fit LOG.csv|LOG.xes [--process FILE.bpmn] --out overlay.yaml``: calibrate from an event log."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "fit"
HELP = "fit step durations, arrival rate and office hours from an event log; write a scenario overlay"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("log", type=Path, help="event log (.csv with pm4py columns, or .xes)")
    p.add_argument("--process", type=Path, help="BPMN file whose steps the activities are matched to")
    p.add_argument("--out", type=Path, default=Path("fitted.yaml"), help="scenario overlay to write (default fitted.yaml)")
    p.add_argument("--elapsed", action="store_true",
                   help="fit elapsed start→end time; by default only open office hours count, as the engine's work does")


def run(args: argparse.Namespace) -> int:
    from sim.files import output_file

    output_file(args.out, what="scenario overlay")  # before fitting (and importing pandas): a bad --out costs no work
    from sim.bpmn.loader import load_process
    from sim.interop.fit import fit_log, write_overlay

    process = load_process(args.process) if args.process else None
    result = fit_log(args.log, process, work="elapsed" if args.elapsed else "open")
    print(f"{result.cases} cases over {result.workdays} working days: {result.rate_per_workday:.2f} per working day; "
          f"office hours {result.office_hours or 'not found'}")
    print(f"{'step':28} {'n':>6} {'fit':34} {'KS p':>6}")
    for key, fit in result.activities.items():
        print(f"{key[:28]:28} {fit.n:6d} {fit.dist!r:34} {fit.ks_pvalue:6.3f}")
    for label, items in (("unmatched activities", result.unmatched), ("steps without data", result.missing), ("notes", result.notes)):
        if items:
            print(f"{label}: " + "; ".join(items))
    write_overlay(result, args.out)
    print(args.out)
    return 0
