"""``reformsim list``: the bundled chains, their variants, their counts, and the targets each one tests.

Chain, variant and label come from the catalog beside the files (``processes/catalog.yaml``); the
counts (worst path: procedures, documents, stages, statutory time) from the one counter,
:func:`sim.analysis.paths.max_counts`.
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


def run(args: argparse.Namespace) -> int:
    rows = chain_table(args.processes, args.register, args.lang)
    print("\t".join(HEAD[args.lang]))
    for row in rows:
        print("\t".join(row[k] for k in KEYS))
    return 0
