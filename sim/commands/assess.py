"""``reformsim assess``: judge every target of the register, print the verdicts, write out/report.html."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

NAME = "assess"
HELP = "评估方案目标（可达成 / 有风险 / 不可达成）并生成 HTML 报告 / judge the plan's targets (reachable / at risk / not reachable) and write the HTML report"
ROOT = Path(__file__).resolve().parents[2]


def _points(text: str) -> int:
    """``--points``: a power of 2 from 2 to 1024 (Sobol' points keep their balance only in powers of 2)."""
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 2 <= n <= 1024 or n & (n - 1):
        raise argparse.ArgumentTypeError(f"expected a power of 2 from 2 to 1024, got {text}")
    return n


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args
    from sim.analysis.assess import DEFAULT_CASES, DEFAULT_REPLICATIONS, DEFAULT_SEED

    p.add_argument("--register", type=Path, help="目标清单（默认：scenarios/targets.yaml） / target register (default: scenarios/targets.yaml of the repository)")
    p.add_argument("--scenario", type=Path, help="情景 YAML，只用于其指明的链条 / scenario YAML applied to the chain it names (its process: file); every "
                                                  "other chain runs unchanged, and a note says which")
    p.add_argument("--cities", type=Path, help="全省目标所用的市县文件（默认：sim/data/cities.yaml；复制后可修改某市县的需求或人员） / "
                   "市县 file for 全省 targets (default: the bundled sim/data/cities.yaml; copy it to change one 市县's demand or staff)")
    p.add_argument("--out", type=Path, help="报告文件夹（默认：out/） / report folder (default: out/ of the repository with the default register)")
    _args.add_lang(p)
    p.add_argument("--json", action="store_true", help="以 JSON 输出结论 / print the verdicts as JSON")
    p.add_argument("--replications", type=_args.positive_int, default=DEFAULT_REPLICATIONS, help="重复次数 / replications")
    p.add_argument("--cases", type=_args.positive_int, default=DEFAULT_CASES, help="每次重复的件数 / cases per replication")
    p.add_argument("--seed", type=_args.seed, default=DEFAULT_SEED, help="随机种子 / random seed")
    _args.add_precision(p)
    p.add_argument("--required", type=_args.required_share, default=0.95, help="须达标的案件比例（默认 0.95） / share of cases that must meet a target (default 0.95)")
    p.add_argument("--quick", action="store_true", help="少量件数、不做敏感性搜索、不画图（测试用） / few cases, no sensitivity search, no diagrams (tests)")
    p.add_argument("--no-report", action="store_true", help="只输出结论，不写报告 / only print the verdicts")
    from sim.analysis.robustness import DEFAULT_POINTS

    p.add_argument("--robust", action=argparse.BooleanOptionalAction, default=None,
                   help="judge every performance verdict over its assumptions' ranges: robustness class, break-even "
                        "values, what to measure first (default: on; off with --quick)")
    p.add_argument("--points", type=_points, default=DEFAULT_POINTS,
                   help=f"Sobol' points in each half of the robustness design (a power of 2; default {DEFAULT_POINTS})")
    p.add_argument("--workers", type=_args.workers, default=None, help="local processes for the robustness runs "
                                                                         "(default: up to 2)")
    p.add_argument("--scheduler", help="Dask scheduler address tcp://HOST:PORT for the robustness runs")


def run(args: argparse.Namespace) -> int:
    from sim.analysis.assess import assess
    from sim.commands._json import strict_json
    from sim.analysis.sensitivity import analyse_chains
    from sim.files import OwnedFolder
    from sim.targets import load_register

    register_path = args.register or ROOT / "scenarios" / "targets.yaml"
    out = args.out or (ROOT / "out" if args.register is None else Path("out"))
    if not args.no_report:
        OwnedFolder(out).check()  # before simulating: a folder of the user's or an unwritable one costs no work
    scenario = None
    reps, cases = (3, 60) if args.quick else (args.replications, args.cases)
    register = load_register(register_path)
    scope: frozenset[str] | None = None
    notes: list[str] = []
    if args.scenario:
        import sim

        scenario = sim.load_scenario(args.scenario)
        scope, note, row_note = scenario_scope(register, scenario, args.scenario, args.lang)
        notes += [note, row_note]
        print(f"reformsim: note: {note}", file=sys.stderr)
    from sim.analysis.cities import load_cities

    cities = load_cities(args.cities)  # before simulating: a bad file costs no work
    a = assess(register, replications=reps, cases=cases, seed=args.seed, required=args.required, scenario=scenario,
               scope=scope, cities=cities, precision=args.precision, precision_cap=args.max_replications)
    if scope is not None:
        for r in a.rows:  # the report's note column says which verdicts rest on the scenario
            if r.process in scope:
                r.note = "; ".join(x for x in (r.note, notes[1]) if x)
    if (not args.quick) if args.robust is None else args.robust:
        _robust(a, args)
    predictions = _predictions(args, reps, cases)
    if args.json:
        from sim.analysis.assess import CLOCK_RULE, RULE

        print(strict_json({"required": a.required, "replications": a.replications, "cases": a.cases, "seed": a.seed,
                           "rule": RULE[args.lang], "clock_rule": CLOCK_RULE[args.lang],
                           "counts": {"performance": a.counts(), "design": a.design_counts(), "context": a.context_count()},
                           "calendar": {str(y): b for y, b in a.calendar().items()}, "notes": notes[:1] + a.calendar_notes(),
                           "rows": [r.as_dict() for r in a.rows], "robustness": _robust_summary(a),
                           **({"precision": {rel: p.as_dict() for rel, p in a.precision.items()}} if a.precision else {}),
                           "predictions": [p.as_dict() for p in predictions]}))
    else:
        from sim.analysis.backtest import format_predictions

        print(format_verdicts(a, args.lang))
        for rel, reached in a.precision.items():
            print(f"{Path(rel).name}: {reached.text(args.lang)}")
        if a.robust:
            print("\n" + format_robustness(a, args.lang))
        print("\n" + format_predictions(predictions, args.lang))
    if not args.no_report:
        from sim.report.html import write_report

        # sensitivity runs at the verdicts' own precision (a --quick assessment is small already)
        chains = analyse_chains(a, n_steps=2, n_agencies=1) if args.quick else analyse_chains(a)
        path = write_report(a, chains, out, lang=args.lang, diagrams=not args.quick, predictions=predictions)
        from sim.i18n import ASSESS, words

        print(f"{words(ASSESS, args.lang)['report']}: {path}", file=sys.stderr)
    return 0


def _robust(a, args: argparse.Namespace) -> None:  # noqa: ANN001 - Assessment
    """Every performance row over its assumption box (sim.analysis.robustness), on the flags' back-end."""
    import os

    from sim.analysis.robustness import assess_robustness
    from sim.engine.backends import backend_for

    workers = args.workers or min(2, os.cpu_count() or 1)
    # the break-even maps are pictures: simulated only for a report
    assess_robustness(a, points=args.points, backend=backend_for(workers, args.scheduler), maps=not args.no_report)


def scenario_scope(register, scenario, file: Path, lang: str = "zh") -> tuple[frozenset[str], str, str]:  # noqa: ANN001
    """The register's process paths the scenario applies to (the file its ``process:`` names), a note saying so, and
    the shorter note for each row judged under it.

    A scenario that names no process, or one the register tests no target on, is refused: applied
    to nothing it would change nothing, and applied to every chain it would not fit most of them.
    """
    from sim.errors import ScenarioError

    if scenario.process is None:
        raise ScenarioError([("process", "assess --scenario applies a scenario to the chain it names; add process: "
                                         "path/to/file.bpmn")], file=str(file))
    root = Path(register.root or ".")
    target = Path(scenario.process).resolve()
    rels = {p for _, c in register.tested() if c.test is not None for p in c.test.processes if (root / p).resolve() == target}
    if not rels:
        tested = sorted({Path(p).name for _, c in register.tested() if c.test is not None for p in c.test.processes})
        raise ScenarioError([("process", f"{target.name} is not tested by any row of {register.file}; the register tests "
                                         + ", ".join(tested))], file=str(file))
    rows = sorted({t.id for t, c in register.tested() if c.test is not None and rels & set(c.test.processes)},
                  key=register.ids().index)
    name = scenario.name or file.stem
    if lang == "zh":
        note = (f"情景 {name} 仅用于 {target.name}（目标 {'、'.join(rows)}）；其他流程按各自默认设置运行，未作改动")
    else:
        note = (f"scenario {name} applied to {target.name} only (targets {', '.join(rows)}); every other process ran "
                "unchanged on its own defaults")
    row_note = f"按情景 {name} 运行" if lang == "zh" else f"run under scenario {name}"
    return frozenset(rels), note, row_note


def _predictions(args: argparse.Namespace, reps: int, cases: int) -> list:
    """The trade backtest on the bundled models (sim.analysis.backtest), whatever the register or scenario.

    10 design points and at most 3 replications (quick: 4 points): each point compares two runs on
    common random numbers, so the spread between points is the assumptions', not sampling noise.
    """
    from sim.analysis.backtest import predict_all

    return predict_all(ROOT / "processes", cases=cases, replications=min(reps, 3), seed=args.seed,
                       points=4 if args.quick else 10)


def format_verdicts(a, lang: str = "zh") -> str:  # noqa: ANN001 - Assessment
    """The verdicts as a console table in ``lang``, then the counts per kind and the verdict rule."""
    from sim.analysis.assess import RULE, threshold_text
    from sim.i18n import ASSESS, REGISTER_UNITS, pad, say, words
    from sim.report.html import LABELS

    t, c_ = LABELS[lang], words(ASSESS, lang)

    def f(x: float | None, pct: bool = False) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "—"
        return f"{x:.1%}" if pct else f"{x:.2f}"

    def mean(r) -> str:  # noqa: ANN001 - Row judged on the mean: its interval in place of the share's
        return f"μ {r.mean_lo:.2f}–{r.mean_hi:.2f}"

    widths = (("target", 6), ("check", 22), ("kind", 12), ("process", 40), ("metric", 18), ("threshold", 12), ("verdict", 16),
              ("share", 9), ("ci", 15), ("P50", 8), ("P95", 8), ("count", 6))
    lines = [" ".join(pad(c_.get(k, k), w, right=i > 6) for i, (k, w) in enumerate(widths))]
    for r in a.rows:
        ci = "—" if math.isnan(r.lo) else f"{r.lo:.1%}–{r.hi:.1%}"
        kind = c_["context"] if r.context else t[r.kind]  # a threshold not from the plan: shown, not counted
        threshold = threshold_text(r.check_obj.threshold, lang) if r.check_obj is not None else r.threshold
        unit = REGISTER_UNITS[lang].get(r.unit, r.unit) if r.unit in ("hours", "yuan", "USD", "percent") else ""
        lines.append(" ".join((pad(r.target, 6), pad(say(r.check, lang), 22), pad(kind, 12), pad(Path(r.process).name, 40),
                               pad(t["metrics"].get(r.metric, r.metric), 18), pad(f"{threshold} {unit}".strip(), 12),
                               pad(t[r.verdict], 16), f"{f(r.share, True):>9}", f"{ci if r.statistic == 'share' else mean(r):>15}", f"{f(r.p50):>8}", f"{f(r.p95):>8}",
                               f"{'' if r.static is None else f'{r.static:g}':>6}")))
    c, d = a.counts(), a.design_counts()
    lines.append(f"\n{t['performance']}: {t['reachable']} {c['reachable']}, {t['at_risk']} {c['at_risk']}, "
                 f"{t['not_reachable']} {c['not_reachable']}; {t['design']}: {t['complies']} {d['complies']}, "
                 f"{t['partly_complies']} {d['partly_complies']}, {t['does_not_comply']} {d['does_not_comply']}; "
                 + c_["tail"].format(context=a.context_count(), not_sim=len(a.not_simulated)))
    lines.append(f"{t['rule']}: {RULE[lang]}")
    return "\n".join(lines)


def _robust_summary(a) -> dict | None:  # noqa: ANN001 - Assessment
    from sim.analysis.robustness import summary

    return summary(a)


def format_robustness(a, lang: str = "zh") -> str:  # noqa: ANN001 - Assessment
    """Per judged row: its class and share over the assumption box, break-evens and what to measure first."""
    lines = []
    for r in a.rows:
        rob = a.robust.get(id(r))
        if rob is None:
            continue
        test = r.check_obj.test if r.check_obj is not None else None
        against = f" vs {Path(test.baseline).name}" if r.method == "baseline" and test is not None and test.baseline else ""
        lines.append(f"{r.target} {r.check}".strip() + f" ({Path(r.process).name}{against}): {rob.text(lang)}")
        lines += [f"    {b.sentence[lang]}" for b in rob.break_even]
        top = [s for s in rob.sensitivity if s.total is not None][:3]
        if top:
            head = "    优先测量：" if lang == "zh" else "    measure first: "
            lines.append(head + "; ".join(f"{s.label[lang]} (ST {s.total:.2f})" for s in top))
    return "\n".join(lines)
