"""The public API is what sim.__all__ says, every name resolves, and the layers import one way."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

PUBLIC = {
    "load_process", "load_bpmn", "load_scenario", "parse_scenario", "simulate", "prepare_run", "Run", "Compiled", "Spiff",
    "Serial", "ProcessPool", "Dask", "Process", "Scenario",
    "SimulationResult", "ReformSimError", "ModelError", "ScenarioError", "CalendarError", "ExpressionError",
    "SimulationError", "load_register", "assess", "chain_bottlenecks", "candidate_changes", "rank_changes", "apply_edits", "render_diagram", "render_diff",
    "diff_processes", "compare_results", "write_event_log", "fit_log", "write_overlay", "import_prosimos",
}


def test_all_is_pinned_and_resolves() -> None:
    assert set(sim.__all__) == PUBLIC
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_model_layer_imports_no_engine_or_drawing() -> None:
    forbidden = ("simpy", "SpiffWorkflow", "matplotlib", "sim.engine", "sim.report", "sim.bpmn")
    for path in (Path(sim.__file__).parent / "model").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            rel = f"sim.{node.module}" if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module else ""
            for name in [*names, rel]:
                assert not name.startswith(forbidden), f"{path.name} imports {name}"
