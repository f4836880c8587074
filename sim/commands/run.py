"""``reformsim run PROCESS.bpmn|SCENARIO.yaml``: simulate one chain and print its KPIs."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

NAME = "run"
HELP = "simulate a process (BPMN) or a scenario (YAML) and print the KPIs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("target", type=Path, help="a BPMN process file, or a scenario YAML naming one")
    p.add_argument("--cases", type=_args.positive_int, help="cases per replication (default: scenario, else 1000)")
    p.add_argument("--replications", type=_args.positive_int, help="replications (default: scenario, else 5)")
    p.add_argument("--seed", type=_args.seed, help="random seed (default: scenario, else 2021)")
    p.add_argument("--executor", choices=("compiled", "spiff", "fast"), default="compiled",  # sim.engine.executors.EXECUTORS
                   help="compiled (SimPy, the reference), spiff (every case a SpiffWorkflow workflow) or fast "
                        "(numba, identical records; falls back to compiled on models it cannot run, saying so)")
    p.add_argument("--workers", type=_args.workers, default=1, help="processes for replications (default 1)")
    p.add_argument("--event-log", type=Path, help="write the event log (.csv or .xes)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--process-id", help="which process (pool) of the file to simulate (default: the one with most steps)")
    _args.add_precision(p)
    p.add_argument("--register", type=Path, help="with --precision: the register whose targets on this process are judged "
                                                 "(default: scenarios/targets.yaml of the repository)")
    p.add_argument("--prosimos", type=Path, metavar="PARAMS.json",
                   help="the target is a Prosimos BPMN model and this its JSON simulation parameters (sim.interop.prosimos)")


def load_target(target: Path, process_id: str | None = None, prosimos: Path | None = None) -> tuple[Any, Any]:
    """(process, scenario) from a BPMN file or a scenario YAML that names one, or from a Prosimos
    BPMN + JSON pair; the scenario's edits are applied by :func:`sim.simulate`
    (:func:`sim.engine.runner.prepare_run`), not here."""
    import sim
    from sim.errors import ScenarioError

    if prosimos is not None:
        from sim.interop.prosimos import load_prosimos

        return load_prosimos(target, prosimos)
    if target.suffix.lower() in (".yaml", ".yml"):
        scenario = sim.load_scenario(target)
        if scenario.process is None:
            raise ScenarioError([("process", "the scenario names no process file; add process: path/to/file.bpmn")], file=str(target))
        return sim.load_bpmn(scenario.process, instances=scenario.instances()), scenario
    return sim.load_bpmn(target, process_id), None


def run(args: argparse.Namespace) -> int:
    from sim.files import output_file

    if args.event_log is not None:
        # Where it goes, before loading anything; its suffix the engine checks (check_event_log_path) before simulating.
        output_file(args.event_log, what="event log")
    import sim
    from sim.commands import stderr_progress
    from sim.engine.backends import backend_for
    from sim.engine.executors import executor_for
    from sim.commands._json import strict_json

    process, scenario = load_target(args.target, args.process_id, args.prosimos)
    progress = stderr_progress("run") if not args.json else None
    # the CLI edge: flags become parts here, and nowhere else
    if args.precision is None:
        result = sim.simulate(process, scenario, cases=args.cases, replications=args.replications, seed=args.seed,
                              executor=executor_for(args.executor), backend=backend_for(args.workers),
                              event_log=args.event_log, progress=progress)
    else:
        result = _precise(args, process, scenario, progress)
    summary = result.summary()
    if args.json:
        print(strict_json(summary))
    else:
        print(format_summary(summary))
    return 0



def _precise(args: argparse.Namespace, process: Any, scenario: Any, progress: Any) -> Any:
    """``--precision``: replications added until the share meeting every register target judged on this process
    is known to ±H (sim.engine.runner.simulate_to_precision)."""
    from sim.analysis.assess import replication_shares, simulated_checks
    from sim.engine.backends import backend_for
    from sim.engine.executors import executor_for
    from sim.engine.runner import PRECISION_START, simulate_to_precision
    from sim.errors import ScenarioError
    from sim.targets import load_register

    if args.event_log is not None:
        raise ScenarioError([("--event-log", "cannot be written with --precision (the number of replications is not known "
                                             "in advance); give --replications instead")])
    register = load_register(args.register or Path(__file__).resolve().parents[2] / "scenarios" / "targets.yaml")
    root = Path(register.root or ".")
    here = Path(process.path).resolve()
    rels = sorted({p for _, c in register.tested() if c.test is not None for p in c.test.processes if (root / p).resolve() == here})
    judged = [j for rel in rels for j in simulated_checks(register, rel)]
    if not judged:
        raise ScenarioError([("--precision", f"no target of the register is judged on {here.name} by simulation, so there is no "
                                             "share to make precise; give --replications, or --register with a row on this file")],
                            file=str(register.file))
    return simulate_to_precision(process, scenario, lambda res: [replication_shares(res, m, th) for m, th in judged],
                                 args.precision, cases=args.cases, seed=args.seed, executor=executor_for(args.executor),
                                 backend=backend_for(args.workers), cap=args.max_replications,
                                 start=max(2, min(args.replications or PRECISION_START, args.max_replications)), progress=progress)


def _cell(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (a Chinese character takes two)."""
    import unicodedata

    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def format_summary(s: dict[str, Any]) -> str:
    """The KPI, step and agency tables as plain text."""
    lines = [f"{s['name']} ({s['process']}) — scenario {s['scenario']}, {s['replications']} replication(s) × "
             f"{s['cases_per_replication']} cases, seed {s['seed']}, executor {s['executor']}", ""]
    labels = {"workdays": "working days (statutory clock)", "calendar_days": "calendar days", "db_days": "Doing-Business days",
              "hours": "elapsed hours", "procedures": "procedures", "documents": "documents", "fee": "fees (yuan)"}
    lines.append(f"{'per case':32} {'mean':>9} {'95% CI of mean':>21} {'P50':>9} {'P80':>9} {'P95':>9}")
    for key, label in labels.items():
        k = s["kpis"][key]
        ci = "—" if math.isnan(k["ci95"][0]) else f"{k['ci95'][0]:.2f}–{k['ci95'][1]:.2f}"
        lines.append(f"{label:32} {k['mean']:9.2f} {ci:>21} {k['p50']:9.2f} {k['p80']:9.2f} {k['p95']:9.2f}")
    lines += ["", f"{'step':28} {'agency':18} {'queue h':>8} {'serve h':>8} {'workdays':>9} {'P95 wd':>8}"]
    for t in s["tasks"]:
        lines.append(f"{_cell(t['name'] or t['step'], 28)} {_cell(str(t['agency'] or '—'), 18)} {t['waiting_h']:8.2f} "
                     f"{t['working_h']:8.2f} {t['workdays']:9.2f} {t['workdays_p95']:8.2f}")
    lines += ["", f"{'agency':20} {'staff':>5} {'utilisation':>11} {'offered load':>12} {'mean queue':>10} {'max queue':>9}"]
    for a in s["agencies"]:
        lines.append(f"{_cell(a['agency'], 20)} {a['staff']:5d} {a['utilisation']:11.1%} {a['offered_load']:12.1%} "
                     f"{a['mean_queue']:10.2f} {a['max_queue']:9d}")
    if s.get("precision"):
        from sim.engine.runner import Precision

        p = s["precision"]
        lines += ["", Precision(p["wanted"], p["reached"], p["replications"], p["cap"]).text("en")]
    if s["notes"]:
        lines += ["", "assumed:"] + [f"  - {n}" for n in s["notes"]]
    return "\n".join(lines)
