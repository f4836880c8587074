"""``reformsim sweep SCENARIO --lever PATH=1..6@COST --condition PATH=V1,V2 --target T03``: a grid of runs, each point
judged by the share meeting the target (with its interval); the cheapest reachable point over the levers, per condition;
a CSV table, a plot and an Excel workbook."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

NAME = "sweep"
HELP = "在措施与条件的网格上运行情景；按条件找出达成目标的最低成本点 / run a scenario over a grid of levers and conditions; the cheapest point that reaches a target, per condition"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("scenario", type=Path, help="情景 YAML（--prosimos 时也可为 BPMN） / scenario YAML (with --prosimos also the Prosimos BPMN)")
    p.add_argument("--lever", action="append", default=[], metavar="PATH=VALUES@COST",
                   help="措施（计成本） / a setting the planner decides and pays for, with the cost of one unit: "
                        "agencies.market_regulation.staff=1..6@1 (staff without @COST cost 1 each; repeatable)")
    p.add_argument("--condition", action="append", default=[], metavar="PATH=VALUES",
                   help="条件（不计成本） / a setting the planner faces, never a cost: arrivals.growth=1,1.5,2 (repeatable)")
    p.add_argument("--vary", action="append", default=[], metavar="PATH=VALUES",
                   help="一个设置及其取值 / a setting and its values; *.staff is a lever at cost 1 per staff member, anything else a condition "
                        "(repeatable)")
    p.add_argument("--target", help="判定各点所用的目标编号 / a register row to judge each point on, e.g. T03 (its metric, threshold and reading)")
    p.add_argument("--check", help="与 --target 同用：检查项名称 / with --target: the check's name when the row has several (e.g. T08)")
    p.add_argument("--register", type=Path, default=Path(__file__).resolve().parents[2] / "scenarios" / "targets.yaml",
                   help="--target 所用的目标清单 / target register for --target (default: scenarios/targets.yaml of the repository)")
    p.add_argument("--target-metric", help="代替 --target：目标的指标 / instead of --target: KPI of the target, e.g. workdays")
    p.add_argument("--target-max", type=_args.finite, help="与 --target-metric 同用：阈值 / with --target-metric: a case meets the target when metric <= this")
    p.add_argument("--required", type=_args.required_share, default=None,
                   help="须达标的案件比例 / share of cases that must meet it (default: the register row's, else 0.95)")
    p.add_argument("--replications", type=_args.positive_int, help="每点的重复次数 / replications per point (default: the scenario's)")
    p.add_argument("--cases", type=_args.positive_int, help="每次重复的件数 / cases per replication (default: the scenario's)")
    p.add_argument("--seed", type=_args.seed, help="随机种子，各点相同 / seed, the same at every point (default: the scenario's)")
    p.add_argument("--workers", type=_args.workers, default=1, help="本地进程数（默认 1） / local processes (default 1)")
    p.add_argument("--scheduler", help="Dask 调度器地址 / Dask scheduler address tcp://HOST:PORT")
    p.add_argument("--out", type=Path, default=Path("reformsim-out"),
                   help="输出文件夹或 FILE.xlsx / output folder: sweep.csv/.json/.png/.xlsx and the run history (default ./reformsim-out); or "
                        "FILE.xlsx: the workbook there (a new file, or one ReformSim wrote) and the rest in --history")
    p.add_argument("--history", type=Path, default=Path("reformsim-out"),
                   help="与 --out FILE.xlsx 同用：表格、图和运行记录所在文件夹 / with --out FILE.xlsx: the folder of the table, plot and run history (default ./reformsim-out)")
    _args.add_lang(p)
    _args.add_prosimos(p, what="SCENARIO")


def run(args: argparse.Namespace) -> int:
    from sim.analysis.assess import DEFAULT_REQUIRED, verdict_words
    from sim.commands import stderr_progress
    from sim.commands._json import strict_json
    from sim.commands._outputs import outputs
    from sim.errors import ReformSimError
    from sim.files import atomic_write
    from sim.report.plots import sweep_png
    from sim.report.tables import workbook_bytes
    from sim.commands._args import target_settings
    from sim.i18n import say
    from sim.whatif.history import History
    from sim.whatif.sweep import CONDITION, LEVER, describe_point, parse_axis, parse_vary, axis, sweep, sweep_sheets, sweep_text

    folder, workbook = outputs(args.out, args.history, "sweep.xlsx")
    history = History(folder)
    history.check_writable()  # before simulating: a bad --out or a locked history costs no work
    axes = ([parse_axis(v, LEVER) for v in args.lever] + [parse_axis(v, CONDITION) for v in args.condition]
            + [axis(*parse_vary(v)) for v in args.vary])
    if not axes:
        raise ReformSimError("nothing to sweep: give --lever, --condition or --vary (e.g. --lever agencies.market_regulation.staff=1..6)")
    if args.check and not args.target:
        raise ReformSimError("--check names a check of a --target row; give --target too")
    settings, file = target_settings(args.scenario, args.prosimos)
    target = None
    if args.target:
        from sim.targets import load_register
        from sim.whatif.sweep import target_from_register

        target = target_from_register(load_register(args.register), args.target, args.check, settings.get("process"), args.required)
    result, runs = sweep(settings, axes, file=file, cases=args.cases, replications=args.replications,
                         seed=args.seed, target=target, target_metric=args.target_metric, target_max=args.target_max,
                         required=args.required or DEFAULT_REQUIRED, workers=args.workers, scheduler=args.scheduler,
                         progress=stderr_progress("sweep"))
    history.record_results([(r, spec.hash, str(args.scenario)) for spec, r in runs], kind="sweep")  # all points or none
    runs = [r for _, r in runs]
    csv_path = atomic_write(folder / "sweep.csv", result.csv(), make_parents=True)
    png_path = atomic_write(folder / "sweep.png", sweep_png(result), make_parents=True)
    atomic_write(folder / "sweep.json", strict_json({"axes": [a.__dict__ for a in result.axes], "target": result.target,
                                                     "cheapest": result.cheapest, "cheapest_by_condition": result.cheapest_by_condition,
                                                     "rows": result.rows}))
    atomic_write(workbook, workbook_bytes(sweep_sheets(result, args.lang)), make_parents=True)
    t = sweep_text(args.lang)
    print(t["points"].format(points=len(result.rows), reps=len(runs[0].replications), cases=runs[0].scenario.cases, seed=runs[0].seed))
    for a in result.axes:
        print(f"  {t[a.kind]}: {a.path}" + (f" ({t['cost']} {a.cost:g}; {say(a.cost_source, args.lang)})" if a.kind == LEVER else ""))
    cols = list(result.rows[0])
    print("  ".join(f"{t['columns'].get(c, c)[-24:]:>12}" for c in cols))
    marked = set(result.marked())
    for i, r in enumerate(result.rows):
        cells = [f"{verdict_words(v, args.lang):>12}" if k == "verdict" else f"{t['yes'] if v else t['no']:>12}" if isinstance(v, bool)
                 else f"{v:12.3f}" if isinstance(v, float) and not math.isnan(v) else f"{str(v):>12}" for k, v in r.items()]
        print("  ".join(cells) + (f"   ← {t['cheapest']}" if i in marked else ""))
    if result.target:
        from sim.i18n import METRICS, words

        tg = result.target
        metric = words(METRICS, args.lang).get(tg["metric"], tg["metric"])
        print(f"\n{' '.join(x for x in (tg['id'], tg['check']) if x)}: {metric} {tg['threshold']}, ≥ {tg['required']:.0%}:")
        if not result.levers():
            print(f"  {t['no_levers']}")
        for c in result.cheapest_by_condition:
            cond = ", ".join(f"{k} = {v}" for k, v in c["condition"].items())
            print(f"  {cond + ': ' if cond else ''}{t['cheapest']}: {describe_point(result, c['cheapest'], result.levers(), args.lang)}")
    print(f"\n{t['table']}: {csv_path}\n{t['plot']}: {png_path}\n{t['excel']}: {workbook}\n{t['history']}: {history.path}")
    return 0
