"""``reformsim run PROCESS.bpmn|SCENARIO.yaml``: simulate one chain and print its KPIs."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

NAME = "run"
HELP = "模拟一个流程（BPMN）或情景（YAML）并输出指标 / simulate a process (BPMN) or a scenario (YAML) and print the KPIs"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("target", type=Path, help="BPMN 流程文件，或指明流程的情景 YAML / a BPMN process file, or a scenario YAML naming one")
    p.add_argument("--cases", type=_args.positive_int, help="每次重复的件数（默认：情景中的值，否则 1000） / cases per replication (default: scenario, else 1000)")
    p.add_argument("--replications", type=_args.positive_int, help="重复次数（默认：情景中的值，否则 5） / replications (default: scenario, else 5)")
    p.add_argument("--seed", type=_args.seed, help="随机种子（默认：情景中的值，否则 2021） / random seed (default: scenario, else 2021)")
    p.add_argument("--executor", choices=("compiled", "spiff", "fast"), default="compiled",  # sim.engine.executors.EXECUTORS
                   help="执行器 / executor: compiled (SimPy, the reference), spiff (every case a SpiffWorkflow workflow) or fast "
                        "(numba, identical records; falls back to compiled on models it cannot run, saying so)")
    p.add_argument("--workers", type=_args.workers, default=1, help="并行进程数（默认 1） / processes for replications (default 1)")
    p.add_argument("--event-log", type=Path, help="写出事件日志（.csv 或 .xes） / write the event log (.csv or .xes)")
    p.add_argument("--json", action="store_true", help="输出 JSON 而非表格 / print JSON instead of tables")
    _args.add_lang(p)
    p.add_argument("--process-id", help="模拟文件中的哪个流程（默认：环节最多的） / which process (pool) of the file to simulate (default: the one with most steps)")
    _args.add_precision(p)
    p.add_argument("--register", type=Path, help="与 --precision 同用：在本流程上判定的目标清单 / with --precision: the register "
                                                 "whose targets on this process are judged (default: scenarios/targets.yaml of the repository)")
    _args.add_prosimos(p)


def load_target(target: Path, process_id: str | None = None, prosimos: Path | None = None) -> tuple[Any, Any]:
    """(process, scenario) from a BPMN file or a scenario YAML that names one, or from a Prosimos
    BPMN + JSON pair (``target`` the BPMN, or a what-if YAML over its import); the scenario's edits are applied by :func:`sim.simulate`
    (:func:`sim.engine.runner.prepare_run`), not here."""
    import sim
    from sim.errors import ScenarioError

    if prosimos is not None:
        from sim.commands._args import target_settings
        from sim.interop.prosimos import process_and_scenario

        return process_and_scenario(*target_settings(target, prosimos))
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
        print(format_summary(summary, args.lang))
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


def format_summary(s: dict[str, Any], lang: str = "zh") -> str:
    """The KPI, step and agency tables as plain text, in ``lang`` (agencies by the names the plan uses)."""
    from sim.i18n import RUN, agency_name, pad as _cell, say, words

    t = words(RUN, lang)
    scenario = t["default"] if s["scenario"] == "default" else s["scenario"]  # the Scenario() of no file
    name = (s.get("name_en") if lang == "en" else "") or s["name"]
    lines = [t["head"].format(name=name, process=s["process"], scenario=scenario, replications=s["replications"],
                              cases=s["cases_per_replication"], seed=s["seed"], executor=s["executor"]), ""]
    lines.append(f"{_cell(t['per_case'], 32)} {_cell(t['mean'], 9, right=True)} {_cell(t['ci'], 21, right=True)} "
                 f"{'P50':>9} {'P80':>9} {'P95':>9}")
    for key, label in t["kpis"].items():
        k = s["kpis"][key]
        ci = "—" if math.isnan(k["ci95"][0]) else f"{k['ci95'][0]:.2f}–{k['ci95'][1]:.2f}"
        lines.append(f"{_cell(label, 32)} {k['mean']:9.2f} {ci:>21} {k['p50']:9.2f} {k['p80']:9.2f} {k['p95']:9.2f}")
    lines += ["", " ".join((_cell(t["step"], 28), _cell(t["agency"], 24), *(_cell(t[c], w, right=True) for c, w in
                                                                              (("queue_h", 8), ("serve_h", 8), ("workdays", 9), ("p95_wd", 10)))))]
    for x in s["tasks"]:
        lines.append(f"{_cell((x.get('name_en') if lang == 'en' else '') or x['name'] or x['step'], 28)} {_cell(agency_name(x['agency'], lang), 24)} {x['waiting_h']:8.2f} "
                     f"{x['working_h']:8.2f} {x['workdays']:9.2f} {x['workdays_p95']:10.2f}")
    lines += ["", " ".join((_cell(t["agency"], 26), *(_cell(t[c], w, right=True) for c, w in
                                                      (("staff", 5), ("util", 11), ("load", 12), ("mean_queue", 10), ("max_queue", 9)))))]
    for a in s["agencies"]:
        lines.append(f"{_cell(agency_name(a['agency'], lang), 26)} {a['staff']:5d} {a['utilisation']:11.1%} {a['offered_load']:12.1%} "
                     f"{a['mean_queue']:10.2f} {a['max_queue']:9d}")
    if s.get("precision"):
        from sim.engine.runner import Precision

        p = s["precision"]
        lines += ["", Precision(p["wanted"], p["reached"], p["replications"], p["cap"]).text(lang)]
    if s["notes"]:
        lines += ["", t["assumed"]] + [f"  - {say(n, lang)}" for n in s["notes"]]
    return "\n".join(lines)
