"""``reformsim compare A.yaml B.yaml`` (or ``RUN_ID RUN_ID``): KPI means and percentiles with paired 95% CIs of the
change, the change in the share meeting each target of the chain with both verdicts in words, design checks before and
after; a table (zh or en), comparison.json, and an Excel workbook (``--out FILE.xlsx``, or comparison.xlsx in the folder)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

NAME = "compare"
HELP = "对比两个情景（相同随机数）或两次已存运行，给出差值的95%%区间 / compare two scenarios (same seeds: common random numbers) or two stored runs, with 95%% CIs of the difference"


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args

    p.add_argument("a", help="情景 YAML，或 `reformsim runs` 中的运行编号（--prosimos 时也可为 BPMN） / scenario YAML, or a run id from "
                             "`reformsim runs` (with --prosimos also the Prosimos BPMN)")
    p.add_argument("b", help="情景 YAML，或 `reformsim runs` 中的运行编号（--prosimos 时也可为 BPMN） / scenario YAML, or a run id from "
                             "`reformsim runs` (with --prosimos also the Prosimos BPMN)")
    p.add_argument("--replications", type=_args.positive_int, help="两边的重复次数（默认：A 的情景） / replications for both (default: A's scenario)")
    p.add_argument("--cases", type=_args.positive_int, help="两边每次重复的件数（默认：A 的情景） / cases per replication for both (default: A's scenario)")
    p.add_argument("--seed", type=_args.seed, help="两边的随机种子（默认：A 的情景） / seed for both (default: A's scenario)")
    p.add_argument("--workers", type=_args.workers, default=1, help="本地进程数（默认 1） / local processes (default 1)")
    p.add_argument("--scheduler", help="Dask 调度器地址（在那里运行） / Dask scheduler address tcp://HOST:PORT (runs there instead of locally)")
    p.add_argument("--out", type=Path, default=Path("reformsim-out"),
                   help="输出文件夹或 FILE.xlsx / output folder: run history (runs.sqlite), comparison.json and .xlsx, diagram diff (default "
                        "./reformsim-out); or FILE.xlsx: the workbook there (a new file, or one ReformSim wrote) and the rest "
                        "in --history")
    p.add_argument("--history", type=Path, default=Path("reformsim-out"),
                   help="与 --out FILE.xlsx 同用：运行记录所在文件夹 / with --out FILE.xlsx: the folder of the run history, comparison.json and diagram diff (default ./reformsim-out)")
    _args.add_lang(p)
    p.add_argument("--json", action="store_true", help="输出 JSON 而非表格 / print JSON instead of a table")
    p.add_argument("--register", type=Path, default=Path(__file__).resolve().parents[2] / "scenarios" / "targets.yaml",
                   help="目标清单：本链的目标在两个情景下分别判定 / target register whose checks on this chain are judged under both scenarios")
    p.add_argument("--required", type=_args.required_share, default=None,
                   help="目标未写明时须达标的案件比例（默认 0.95） / share of cases that must meet a target when its register row names none (default 0.95)")
    _args.add_precision(p)
    _args.add_prosimos(p, what="A and B: each")


def run(args: argparse.Namespace) -> int:
    from sim.errors import ReformSimError
    from sim.whatif.compare import comparison_sheets, compare_results, compare_stored, format_comparison
    from sim.commands import stderr_progress
    from sim.commands._json import strict_json
    from sim.files import atomic_write
    from sim.engine.backends import backend_for
    from sim.report.tables import workbook_bytes
    from sim.whatif.distributed import RunSpec, run_specs
    from sim.whatif.history import History

    from sim.commands._outputs import outputs
    from sim.i18n import check_lang

    check_lang(args.lang)

    folder, workbook = outputs(args.out, args.history, "comparison.xlsx")
    history = History(folder)
    history.check_writable()  # before simulating: a bad --out or a locked history costs no work
    if args.prosimos is not None and (args.a.isdigit() or args.b.isdigit()):
        raise ReformSimError("--prosimos names the model of A and B; a stored run already has its model: give the Prosimos "
                             "BPMN or a what-if YAML on it, or leave --prosimos out")
    if args.a.isdigit() and args.b.isdigit():
        comparison = compare_stored(history.get(int(args.a)), history.get(int(args.b)))
    elif args.a.isdigit() or args.b.isdigit():
        raise ReformSimError("compare takes two scenario files or two run ids, not one of each")
    else:
        register = _register(args.register)  # a broken register is refused before anything runs
        from sim.commands._args import target_settings

        side_a, side_b = target_settings(Path(args.a), args.prosimos), target_settings(Path(args.b), args.prosimos)
        spec_a = RunSpec.from_mapping(*side_a, cases=args.cases, replications=args.replications, seed=args.seed)
        s = spec_a.settings
        # common random numbers: B runs with A's seed, cases and replications unless given
        spec_b = RunSpec.from_mapping(*side_b, cases=args.cases or s.get("cases"), replications=args.replications or s.get("replications"),
                                      seed=args.seed if args.seed is not None else s.get("seed"))
        spec_a = RunSpec.from_mapping(*side_a, cases=args.cases or spec_b.settings.get("cases"),
                                      replications=args.replications or spec_b.settings.get("replications"),
                                      seed=args.seed if args.seed is not None else spec_b.settings.get("seed"))
        backend = backend_for(args.workers, args.scheduler)
        if args.precision is None:
            res_a, res_b = run_specs([spec_a, spec_b], backend=backend, progress=None if args.json else stderr_progress("compare"))
            reached = None
        else:
            res_a, res_b, reached = _precise(args, spec_a, spec_b, register, backend)
        comparison = compare_results(res_a, res_b, register, args.required)
        if reached is not None:
            comparison["precision"] = reached.as_dict()
        comparison["run_ids"] = history.record_results([(res_a, spec_a.hash, spec_a.file), (res_b, spec_b.hash, spec_b.file)],
                                                       kind="compare")
        if comparison["process_changes"]:
            comparison["diagram"] = _diagram(res_a, res_b, folder)
    atomic_write(folder / "comparison.json", strict_json(comparison), make_parents=True)
    atomic_write(workbook, workbook_bytes(comparison_sheets(comparison, args.lang)), make_parents=True)
    if args.json:
        print(strict_json(comparison))
    else:
        print(format_comparison(comparison, args.lang))
        if comparison.get("precision"):
            from sim.engine.runner import Precision

            p = comparison["precision"]
            print(Precision(p["wanted"], p["reached"], p["replications"], p["cap"]).text(args.lang))

        from sim.i18n import COMPARE, words

        t = words(COMPARE, args.lang)
        if comparison.get("run_ids"):
            print("\n" + t["recorded"].format(a=comparison["run_ids"][0], b=comparison["run_ids"][1], path=history.path))
        if comparison.get("diagram"):
            print(f"{t['diagram']}: {comparison['diagram']}")
        print(f"{t['excel']}: {workbook}")
    return 0


def _precise(args: argparse.Namespace, spec_a: Any, spec_b: Any, register: Any, backend: Any) -> tuple[Any, Any, Any]:
    """``--precision``: both scenarios run replication for replication (common random numbers) until the share meeting
    each target of the chain, on A, on B and its paired change B − A, is known to ±H (sim.engine.runner.grow_to_precision)."""
    from sim.analysis.assess import replication_shares, simulated_checks
    from sim.engine.runner import PRECISION_START, grow_to_precision
    from sim.errors import ScenarioError
    from sim.whatif.compare import same_chain
    from sim.whatif.distributed import RunSpec, run_specs

    start = max(2, min(args.replications or PRECISION_START, args.max_replications))
    spec_a, spec_b = (RunSpec.from_mapping(s.settings, s.file, replications=start) for s in (spec_a, spec_b))
    res_a, res_b = run_specs([spec_a, spec_b], backend=backend)
    root = Path(register.root or ".") if register is not None else Path(".")
    rels = sorted({p for _, c in (register.tested() if register is not None else []) if c.test is not None
                   for p in c.test.processes if same_chain(str(root / p), str(res_a.process.file))})
    judged = [(m, th) for rel in rels for m, th in simulated_checks(register, rel)
              if not m.startswith("step:") or all(m[5:] in r.replications[0].tasks for r in (res_a, res_b))]
    if not judged:
        raise ScenarioError([("--precision", "no target of the register is judged on this chain by simulation, so there is no "
                                             "share to make precise; give --replications, or --register with a row on it")])

    def shares() -> list[list[float]]:
        out = []
        for m, th in judged:
            a, b = replication_shares(res_a, m, th), replication_shares(res_b, m, th)
            out += [a, b, [y - x for x, y in zip(a, b)]]
        return out

    def more(first: int, n: int) -> None:
        reps = tuple(range(first, first + n))
        part_a, part_b = backend.map(_replicate, [(spec_a, reps), (spec_b, reps)])
        res_a.replications.extend(part_a)
        res_b.replications.extend(part_b)

    reached = grow_to_precision(lambda: len(res_a.replications), more, shares, args.precision, cap=args.max_replications)
    for res in (res_a, res_b):
        res.scenario = replace(res.scenario, replications=len(res.replications))
    return res_a, res_b, reached


def _replicate(job: tuple[Any, tuple[int, ...]]) -> Any:
    """Replications of one spec (top level, so a process pool or Dask can send it)."""
    from sim.whatif.distributed import replicate

    return replicate(*job)


def _register(path: Path) -> Any:
    """The target register whose checks on the compared chain are judged (None when the file does not exist)."""
    from sim.targets import load_register

    if not path.exists():
        return None
    return load_register(path)  # paths relative to the register's own folder, inside its project


def _diagram(a: Any, b: Any, out: Path) -> str | None:
    """Write both (possibly edited) processes as BPMN with DI and draw the report's side-by-side diff."""
    try:
        from sim.bpmn.loader import load_bpmn
        from sim.bpmn.writer import write_bpmn
        from sim.report.diff import render_diff
    except ImportError:
        return None  # the report package is optional here; the table already says what changed
    from sim.errors import ReformSimError

    folder = out / "diff"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        paths = []
        for tag, result in (("a", a), ("b", b)):
            path = folder / f"{tag}_{result.scenario.name}.bpmn"
            write_bpmn(result.process, path)
            paths.append(path)
        return str(render_diff(load_bpmn(paths[0]), load_bpmn(paths[1]), folder / "diff.png"))
    except (ReformSimError, ValueError, OSError) as exc:
        print(f"reformsim: note: no diagram diff ({exc})", file=sys.stderr)
        return None

