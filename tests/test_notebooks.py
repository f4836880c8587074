"""Every planner notebook in notebooks/ runs top to bottom without a failing cell.

Notebooks are executed with nbclient in their own folder (so relative paths like
``../processes/x.bpmn`` work as they do for a planner), and write their outputs into
``REFORMSIM_NOTEBOOK_OUT`` (a temporary folder), never into notebooks/. Any ``*.ipynb`` added later
is picked up.

Example: ``.venv/bin/python -m pytest tests/test_notebooks.py -q``
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
FILES = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert len(FILES) >= 2, f"expected the planner notebooks in {NOTEBOOKS}"


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_notebook_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REFORMSIM_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits it: outputs land here
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    nb = nbformat.read(path, as_version=4)
    # CellExecutionError (a failing cell) fails the test with the cell's traceback
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before, "a notebook wrote into notebooks/"
