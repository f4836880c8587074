"""Real BPMN files drawn in other modelers (tests/data/corpus, origins in SOURCES.md): each has a pinned
outcome — it simulates, or it is refused with a ReformSimError naming this element and saying this.

Example: ``.venv/bin/python -m pytest tests/test_corpus.py -q``
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim

CORPUS = Path(__file__).parent / "data" / "corpus"
FILES = sorted(CORPUS.glob("*.bpmn"))


def test_corpus_is_there_and_every_file_has_its_origin_noted() -> None:
    assert len(FILES) >= 6
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    for path in FILES:
        assert f"`{path.name}`" in sources, f"{path.name} has no origin/licence line in SOURCES.md"


# Each corpus file's pinned outcome: "runs", or ("refused", what the message must name, a fragment of why).
# A file changing outcome is a decision, not drift: change its row here and say why in the commit.
EXPECTED: dict[str, str | tuple[str, str, str]] = {
    "bonita_gateways_no_events": ("refused", 'process id="_dJuGsaGGEemnBZ1fq05xIw"', "no process in the file has a start event"),
    "bpmnio_data_objects_not_executable": "runs",
    "bpmnio_pools_lanes_message_flows": "runs",
    "camunda_event_based_timer": ("refused", 'eventBasedGateway id="Gateway_05yj0i5"', "event-based gateway waits for whichever"),
    "camunda_feel_conditions": ("refused", "attributes.price", 'flow "price-gt-zero"'),
    "camunda_nested_subprocess_inclusive": ("refused", "attributes.COUNT", 'flow "Flow_gate_to_30_real"'),
    "camunda_parallel_user_tasks": "runs",
    "trisotech_call_activities_global_tasks": ("refused", 'process id="process_1_id"', "no process in the file has a start event"),
}


def test_every_corpus_file_has_a_pinned_outcome() -> None:
    assert sorted(EXPECTED) == [p.stem for p in FILES]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_has_its_pinned_outcome(path: Path) -> None:
    expected = EXPECTED[path.stem]
    if expected == "runs":
        result = sim.simulate(path, cases=30, replications=1)
        # it ran: every case finished and the KPIs are numbers
        assert sum(r.cases for r in result.replications) == 30
        assert result.kpi("workdays").count == 30
        assert result.kpi("workdays").mean >= 0
        return
    _, where, why = expected
    with pytest.raises(sim.ReformSimError) as info:
        sim.simulate(path, cases=30, replications=1)
    message = str(info.value)
    assert path.name in message, message
    assert where in message, f"expected the message to name {where}: {message}"
    assert why in message, message
    assert re.search(r'id="[^"]+"|"[A-Za-z_][\w.-]*"|attributes\.\w+', message), f"no element named in: {message}"
    # a planner cannot act on Python object reprs leaking from the parser
    assert "<Element" not in message and " at 0x" not in message, message
