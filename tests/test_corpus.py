"""Real BPMN files drawn in other modelers (tests/data/corpus, origins in SOURCES.md) either simulate or
are refused with a ReformSimError that names an element — never a TypeError/KeyError/AttributeError.

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


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_file_simulates_or_is_refused_with_a_located_message(path: Path) -> None:
    try:
        result = sim.simulate(path, cases=30, replications=1)
    except sim.ReformSimError as err:
        message = str(err)
        # the message says which file and which element (id="...") the planner must change
        assert path.name in message, message
        assert re.search(r'id="[^"]+"|"[A-Za-z_][\w.-]*"', message), f"no element named in: {message}"
        # a planner cannot act on Python object reprs leaking from the parser
        assert "<Element" not in message and " at 0x" not in message, message
        return
    # it ran: every case finished and the KPIs are numbers
    assert sum(r.cases for r in result.replications) == 30
    assert result.kpi("workdays").count == 30
    assert result.kpi("workdays").mean >= 0
