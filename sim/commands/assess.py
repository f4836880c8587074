"""``reformsim assess``: judge every target of the register, print the verdicts, write out/report.html."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

NAME = "assess"
HELP = "judge the plan's targets (reachable / at risk / not reachable) and write the HTML report"
ROOT = Path(__file__).resolve().parents[2]


def add_arguments(p: argparse.ArgumentParser) -> None:
    from sim.commands import _args
    from sim.analysis.assess import DEFAULT_CASES, DEFAULT_REPLICATIONS, DEFAULT_SEED

    p.add_argument("--register", type=Path, help="target register (default: scenarios/targets.yaml of the repository)")
    p.add_argument("--scenario", type=Path, help="scenario YAML applied to the chain it names (its process: file); every "
                                                  "other chain runs unchanged, and a note says which")
    p.add_argument("--cities", type=Path, help="市县 file for 全省 targets (default: the bundled sim/data/cities.yaml; "
                   "copy it to change one 市县's demand or staff)")
    p.add_argument("--out", type=Path, help="report folder (default: out/ of the repository with the default register)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.add_argument("--replications", type=_args.positive_int, default=DEFAULT_REPLICATIONS)
    p.add_argument("--cases", type=_args.positive_int, default=DEFAULT_CASES)
    p.add_argument("--seed", type=_args.seed, default=DEFAULT_SEED)
    _args.add_precision(p)
    p.add_argument("--required", type=_args.required_share, default=0.95, help="share of cases that must meet a target (default 0.95)")
    p.add_argument("--quick", action="store_true", help="few cases, no sensitivity search, no diagrams (tests)")
    p.add_argument("--no-report", action="store_true", help="only print the verdicts")


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
    predictions = _predictions(args, reps, cases)
    if args.json:
        from sim.analysis.assess import CLOCK_RULE, RULE

        print(strict_json({"required": a.required, "replications": a.replications, "cases": a.cases, "seed": a.seed,
                           "rule": RULE[args.lang], "clock_rule": CLOCK_RULE[args.lang],
                           "counts": {"performance": a.counts(), "design": a.design_counts(), "context": a.context_count()},
                           "calendar": {str(y): b for y, b in a.calendar().items()}, "notes": notes[:1] + a.calendar_notes(),
                           "rows": [r.as_dict() for r in a.rows],
                           **({"precision": {rel: p.as_dict() for rel, p in a.precision.items()}} if a.precision else {}),
                           "predictions": [p.as_dict() for p in predictions]}))
    else:
        from sim.analysis.backtest import format_predictions

        print(format_verdicts(a, args.lang))
        for rel, reached in a.precision.items():
            print(f"{Path(rel).name}: {reached.text(args.lang)}")
        print("\n" + format_predictions(predictions, args.lang))
    if not args.no_report:
        from sim.report.html import write_report

        # sensitivity runs at the verdicts' own precision (a --quick assessment is small already)
        chains = analyse_chains(a, n_steps=2, n_agencies=1) if args.quick else analyse_chains(a)
        path = write_report(a, chains, out, lang=args.lang, diagrams=not args.quick, predictions=predictions)
        print(f"report: {path}", file=sys.stderr)
    return 0


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
    from sim.report.html import LABELS

    t = LABELS[lang]

    def f(x: float | None, pct: bool = False) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return "—"
        return f"{x:.1%}" if pct else f"{x:.2f}"

    def mean(r) -> str:  # noqa: ANN001 - Row judged on the mean: its interval in place of the share's
        return f"μ {r.mean_lo:.2f}–{r.mean_hi:.2f}"

    lines = [f"{'target':6} {'check':22} {'kind':12} {'process':40} {'judged on':18} {'threshold':12} {'verdict':16} "
             f"{'share':>7} {'95% interval':>15} {'P50':>8} {'P95':>8} {'count':>6}"]
    for r in a.rows:
        ci = "—" if math.isnan(r.lo) else f"{r.lo:.1%}–{r.hi:.1%}"
        kind = "context" if r.context else t[r.kind]  # a threshold not from the plan: shown, not counted
        lines.append(f"{r.target:6} {r.check[:22]:22} {kind[:12]:12} {Path(r.process).name[:40]:40} "
                     f"{t['metrics'].get(r.metric, r.metric)[:18]:18} {r.threshold:12} "
                     f"{t[r.verdict]:16} {f(r.share, True):>7} {ci if r.statistic == 'share' else mean(r):>15} {f(r.p50):>8} {f(r.p95):>8} "
                     f"{'' if r.static is None else f'{r.static:g}':>6}")
    c, d = a.counts(), a.design_counts()
    lines.append(f"\n{t['performance']}: {t['reachable']} {c['reachable']}, {t['at_risk']} {c['at_risk']}, "
                 f"{t['not_reachable']} {c['not_reachable']}; {t['design']}: {t['complies']} {d['complies']}, "
                 f"{t['partly_complies']} {d['partly_complies']}, {t['does_not_comply']} {d['does_not_comply']}; "
                 f"{a.context_count()} context only; {len(a.not_simulated)} not simulated")
    from sim.analysis.assess import RULE

    lines.append(f"{t['rule']}: {RULE[lang]}")
    return "\n".join(lines)
