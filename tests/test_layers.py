"""Imports flow one way through the layers of ``sim`` (DESIGN.md, README's layout section).

Every module of the package is parsed with ``ast`` (module-level and function-level imports alike,
relative or absolute) and each import of another part of ``sim`` is checked against this order. A
part may import parts of *lower* layers only; parts in the same layer do not import each other.

    0  _version, errors,     nothing of sim
       interrupts, i18n      Ctrl-C and SIGTERM remembered and deferred over critical steps; every label zh/en
    1  files, inputs,        atomic writing; bounded reading of user files (sim.inputs);
       sources               the bundled sources file of cited figures (sim.sources)
    2  model                 pure data: process graph, facts, scenario, calendars, distributions
    3  bpmn, scenarios       read/write BPMN (SpiffWorkflow); read YAML safely, scenarios
    4  interop, targets,     other tools' formats (event logs, Prosimos, fitting); the target register;
       catalog               the catalog of BPMN files (chain, variant, baseline, label)
    5  engine                SimPy executors (writes event logs through interop)
    6  analysis              KPIs, verdicts, path counts, bottlenecks, sensitivity
    7  report, whatif        drawings, plots, HTML/Excel; comparisons, sweeps, run history
    8  sim (the public API)  ``sim/__init__`` re-exports from every layer below
    9  commands              one module per CLI subcommand
    10 cli                   argument parsing and exit codes

Third-party rules of the same kind: matplotlib only in ``report``; simpy only in ``engine``;
SpiffWorkflow only in ``bpmn`` (reading) and ``engine`` (the ``spiff`` executor).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).parent

LAYERS: tuple[frozenset[str], ...] = tuple(frozenset(layer) for layer in (
    {"_version", "errors", "interrupts", "i18n"},
    {"files", "inputs", "sources", "stack"},
    {"model"},
    {"bpmn", "scenarios"},
    {"interop", "targets", "catalog"},
    {"engine"},
    {"analysis"},
    {"report", "whatif"},
    {"sim"},
    {"commands"},
    {"cli"},
))
LEVEL = {part: i for i, layer in enumerate(LAYERS) for part in layer}
THIRD_PARTY = {"matplotlib": {"report"}, "simpy": {"engine"}, "SpiffWorkflow": {"bpmn", "engine"}, "numba": {"engine"}}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _module_name(path: Path) -> str:
    parts = ("sim",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    """``sim.report.diff`` -> ``report``; ``sim.errors`` -> ``errors``; ``sim`` -> ``sim``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imports(path: Path, source: str | None = None) -> Iterator[tuple[str, int]]:
    """Absolute names of everything ``path`` (or ``source`` as if it were that file) imports, at any depth,
    with line numbers.

    >>> list(imports(PACKAGE / "model" / "x.py", "import os; from ..errors import ModelError; from . import process"))
    [('os', 1), ('sim.errors', 1), ('sim.model.process', 1)]
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8") if source is None else source, str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            if node.module is None and node.level:
                # `from . import x` names modules: check each one
                for alias in node.names:
                    yield f"{base}.{alias.name}", node.lineno
            else:
                yield base, node.lineno


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(_module_name(p)) for p in _modules()}
    unplaced = sorted(parts - set(LEVEL))
    assert not unplaced, f"place {unplaced} in LAYERS (and in README's layout section)"
    gone = sorted(set(LEVEL) - parts)
    assert not gone, f"LAYERS names parts that no longer exist: {gone}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layer_order(path: Path) -> None:
    here = _part(_module_name(path))
    wrong = []
    for name, line in imports(path):
        top = name.split(".")[0]
        if top == "sim":
            there = _part(name)
            if there != here and LEVEL.get(there, 99) >= LEVEL[here]:
                wrong.append(f"line {line}: {here} (layer {LEVEL[here]}) imports {name} (layer {LEVEL.get(there)})")
        elif top in THIRD_PARTY and here not in THIRD_PARTY[top]:
            wrong.append(f"line {line}: {here} imports {top}, allowed only in {sorted(THIRD_PARTY[top])}")
    assert not wrong, f"{path.relative_to(PACKAGE.parent)}:\n" + "\n".join(wrong)


def test_the_checker_sees_function_level_and_relative_imports() -> None:
    """The check must be able to fail: late relative imports from higher layers are found and resolved."""
    probe = PACKAGE / "model" / "probe.py"  # never written: the source is given
    source = "def f():\n    from ..report import diagram\n    from ..engine.core import CompiledModel\n    import sim.cli\n"
    found = {name for name, _ in imports(probe, source)}
    assert found == {"sim.report", "sim.engine.core", "sim.cli"}
    assert all(LEVEL[_part(n)] > LEVEL["model"] for n in found)
