"""``reformsim list``: the bundled chains, their variants, their counts, and the targets each one tests.

Chain, variant and label come from the catalog beside the files (``processes/catalog.yaml``); the
counts (worst path: procedures, documents, stages, statutory time) from the one counter,
:func:`sim.analysis.paths.max_counts`.

``reformsim list --assumptions [CHAIN|FILE]`` lists every assumed number instead, per chain and
file, with its central value, plausible range, unit and reason (:func:`sim.model.assumptions.assumptions_of`);
FILE may be a BPMN file or a scenario (then the scenario's numbers and ranges count too).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.i18n import LIST

NAME = "list"
HELP = "列出内置的办事链条、改革前后版本、计数及所检验的目标 / list the bundled chains, their before/after variants, their counts and the targets each tests"

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("chain", "variant", "file", "name", "procedures", "documents", "stages", "statutory", "targets")
HEAD = LIST  # sim.i18n


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=Path, default=ROOT / "processes", help="BPMN 文件夹（含 catalog.yaml） / folder of BPMN files with its catalog.yaml")
    p.add_argument("--register", type=Path, default=ROOT / "scenarios" / "targets.yaml", help="目标清单 / target register")
    from sim.commands import _args

    _args.add_lang(p)
    p.add_argument("--assumptions", nargs="?", const="", default=None, metavar="CHAIN|FILE",
                   help="每项假设的取值、范围、单位与依据（全部链条、目录中的一条链、BPMN 或情景文件） / list every assumption with "
                        "its central value, range, unit and reason (all bundled chains, one chain of the catalog, a BPMN file or a scenario file)")
    p.add_argument("--json", action="store_true", help="与 --assumptions 合用：输出 JSON / with --assumptions: JSON rows instead of a table")


def chain_table(processes: Path, register_path: Path, lang: str = "zh") -> list[dict[str, str]]:
    """One row per BPMN file: chain, variant, name, worst-path counts, and the target ids it tests."""
    from sim.analysis.paths import max_counts
    from sim.bpmn.loader import load_process
    from sim.catalog import CATALOG_NAME, load_catalog
    from sim.targets import load_register

    catalog = load_catalog(processes / CATALOG_NAME)
    register = load_register(register_path, root=register_path.parent.parent)
    tests: dict[str, list[str]] = {}
    for target, check in register.tested():
        assert check.test is not None
        for proc in check.test.processes:
            ids = tests.setdefault(Path(proc).name, [])
            if target.id not in ids:
                ids.append(target.id)
    rows = []
    for path in sorted(processes.glob("*.bpmn")):
        entry = catalog.entry(path.name)  # a file missing from the catalog is an error naming it
        counts = max_counts(load_process(path))
        rows.append({"chain": entry.chain, "variant": entry.variant, "file": path.name, "name": entry.label(lang),
                     "procedures": str(counts.procedures), "documents": str(counts.documents),
                     "stages": str(counts.stages), "statutory": counts.statutory_text(lang) or "—",
                     "targets": ", ".join(tests.get(path.name, [])) or "—"})
    return rows


ASSUMPTION_HEAD = {"zh": ("编号", "假设", "取值", "范围", "单位", "范围依据"),
                   "en": ("id", "assumption", "central", "range", "unit", "reason")}


def assumption_runs(what: str, processes: Path) -> list[tuple[str, Path, list]]:
    """``(chain, file, assumptions)`` for ``what``: "" = every bundled file, a catalog chain, a BPMN or a scenario file."""
    from sim.bpmn.loader import load_process
    from sim.catalog import CATALOG_NAME, load_catalog
    from sim.errors import ScenarioError, did_you_mean
    from sim.model.assumptions import assumptions_of
    from sim.scenarios import load_scenario

    path = Path(what) if what else None
    if path is not None and path.suffix.lower() in (".yaml", ".yml"):
        scenario = load_scenario(path)
        if not scenario.process:
            raise ScenarioError([("process", "expected the scenario to name its BPMN file (process:) to list its assumptions")],
                                file=str(path))
        process = load_process(scenario.process)
        return [(process.id, path, assumptions_of(process, scenario))]
    if path is not None and path.suffix.lower() == ".bpmn":
        process = load_process(path)
        return [(process.id, path, assumptions_of(process))]
    catalog = load_catalog(processes / CATALOG_NAME)
    files = sorted(processes.glob("*.bpmn"))
    chains = {catalog.entry(f.name).chain for f in files}
    if what and what not in chains:
        raise ScenarioError([("--assumptions", f'"{what}" is neither a chain of {processes / CATALOG_NAME}{did_you_mean(what, chains)} '
                              f"nor a .bpmn or .yaml file; expected one of {', '.join(sorted(chains))}")])
    out = []
    for f in files:
        chain = catalog.entry(f.name).chain
        if not what or chain == what:
            out.append((chain, f, assumptions_of(load_process(f))))
    return out


def _shown(x: float) -> str:
    return f"{x:.3g}"


def print_assumptions(runs: list[tuple[str, Path, list]], lang: str, as_json: bool) -> None:
    """The assumption table per chain and file (or JSON rows)."""
    if as_json:
        from ._json import strict_json

        print(strict_json([{**a.as_dict(), "catalog_chain": chain, "listed_file": str(path)} for chain, path, found in runs
                           for a in found]))
        return
    last = None
    for chain, path, found in runs:
        if chain != last:
            print(f"# {chain}")
            last = chain
        print(f"## {path.name}  ({len(found)} {'项假设' if lang == 'zh' else 'assumptions'})")
        print("\t".join(ASSUMPTION_HEAD[lang]))
        for a in found:
            print("\t".join((a.id, a.label(lang), _shown(a.central), f"{_shown(a.lo)}–{_shown(a.hi)}", a.unit,
                             a.reason + (f" [source: {a.source}]" if a.source else ""))))


def run(args: argparse.Namespace) -> int:
    if args.assumptions is not None:
        print_assumptions(assumption_runs(args.assumptions, args.processes), args.lang, args.json)
        return 0
    rows = chain_table(args.processes, args.register, args.lang)
    print("\t".join(HEAD[args.lang]))
    for row in rows:
        print("\t".join(row[k] for k in KEYS))
    return 0
