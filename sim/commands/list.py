"""``reformsim list``: the bundled chains, their variants, and the targets each one tests."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

NAME = "list"
HELP = "list the bundled chains, their before/after variants and the targets each tests"

ROOT = Path(__file__).resolve().parents[2]
_VARIANT = re.compile(r"^(?P<chain>.+?)_(?P<variant>\d{4}_baseline|baseline|\d{4})$")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=Path, default=ROOT / "processes", help="folder of BPMN files")
    p.add_argument("--register", type=Path, default=ROOT / "scenarios" / "targets.yaml", help="target register")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")


def chain_table(processes: Path, register_path: Path, lang: str = "zh") -> list[dict[str, str]]:
    """One row per BPMN file: chain, variant, name, procedures, and the target ids it tests."""
    from sim.bpmn.loader import load_process
    from sim.targets import load_register

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
        m = _VARIANT.match(path.stem)
        chain, variant = (m["chain"], m["variant"]) if m else (path.stem, "")
        p = load_process(path)
        rows.append({"chain": chain, "variant": "baseline" if "baseline" in variant else variant or "—",
                     "file": path.name, "name": (p.name_en or p.name) if lang == "en" else p.name,
                     "procedures": str(len(p.procedures())), "targets": ", ".join(tests.get(path.name, [])) or "—"})
    return rows


def run(args: argparse.Namespace) -> int:
    rows = chain_table(args.processes, args.register, args.lang)
    head = ("chain", "variant", "file", "name", "procedures", "targets") if args.lang == "en" else \
           ("链条", "版本", "文件", "名称", "手续数", "检验的目标")
    keys = ("chain", "variant", "file", "name", "procedures", "targets")
    print("\t".join(head))
    for row in rows:
        print("\t".join(row[k] for k in keys))
    return 0
