"""The public API is what sim.__all__ says and every name resolves (the layer order: tests/test_layers.py)."""

from __future__ import annotations

import sim

PUBLIC = {
    "load_process", "load_bpmn", "load_scenario", "parse_scenario", "simulate", "prepare_run", "Run", "Compiled", "Spiff", "Fast",
    "Serial", "ProcessPool", "Dask", "Process", "Scenario",
    "SimulationResult", "ReformSimError", "ModelError", "ScenarioError", "CalendarError", "ExpressionError",
    "SimulationError", "load_register", "assess", "chain_bottlenecks", "candidate_changes", "rank_changes", "apply_edits", "render_diagram", "render_diff",
    "diff_processes", "compare_results", "write_event_log", "fit_log", "write_overlay", "import_prosimos",
}


def test_all_is_pinned_and_resolves() -> None:
    assert set(sim.__all__) == PUBLIC
    for name in sim.__all__:
        assert getattr(sim, name) is not None
