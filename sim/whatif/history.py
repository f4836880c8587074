"""Run history: every compare/sweep run recorded in an SQLite file in the output folder.

A row keeps what is needed to compare two past runs without rerunning them: the scenario's
content hash, seed, code version, pooled KPIs and the per-replication means (paired differences
need those).

Example:
    >>> import tempfile
    >>> h = History(tempfile.mkdtemp())
    >>> run_id = h.record(kind="demo", name="x", file=None, scenario_hash="abc", process="p", seed=1,
    ...                   replications=2, cases=10, kpis={"workdays": {"mean": 1.0}}, per_replication={"workdays": [1.0, 1.0]})
    >>> [r["name"] for r in h.list()], h.get(run_id)["per_replication"]["workdays"]
    (['x'], [1.0, 1.0])
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..engine.runner import CASE_METRICS, SimulationResult
from ..errors import ReformSimError

__all__ = ["History", "DB_NAME", "code_version", "result_record"]

DB_NAME = "runs.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    file TEXT,
    scenario_hash TEXT NOT NULL,
    process TEXT NOT NULL,
    seed INTEGER NOT NULL,
    replications INTEGER NOT NULL,
    cases INTEGER NOT NULL,
    code_version TEXT NOT NULL,
    kpis TEXT NOT NULL,
    per_replication TEXT NOT NULL
)
"""


@lru_cache(maxsize=1)
def code_version() -> str:
    """``sim.__version__``, plus ``git describe`` of the checkout when there is one."""
    from .._version import __version__ as version

    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=Path(__file__).parents[1],
                             capture_output=True, text=True, timeout=5)
        if out.returncode == 0 and out.stdout.strip():
            version += f"+git.{out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass  # not a git checkout (an installed wheel): the package version alone
    return version


def _clean(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x


def result_record(result: SimulationResult) -> dict[str, Any]:
    """Pooled KPIs and per-replication means (case metrics and agency utilisation) of a result."""
    summary = result.summary()
    per = {m: result.replication_means(m).tolist() for m in CASE_METRICS}
    for aid in result.replications[0].agencies:
        per[f"utilisation.{aid}"] = [r.agencies[aid].utilisation for r in result.replications]
    kpis = dict(summary["kpis"])
    kpis["agencies"] = summary["agencies"]
    return {"kpis": _clean(kpis), "per_replication": _clean(per)}


class History:
    """The SQLite run log in ``folder`` (created on first use)."""

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / DB_NAME

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        con.execute(_SCHEMA)
        return con

    def record(self, *, kind: str, name: str, file: str | None, scenario_hash: str, process: str, seed: int,
               replications: int, cases: int, kpis: dict[str, Any], per_replication: dict[str, Any]) -> int:
        """Store one run; returns its id. One transaction, so an interrupted write leaves no half row."""
        created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        con = self._connect()
        try:
            with con:
                cur = con.execute(
                    "INSERT INTO runs (created, kind, name, file, scenario_hash, process, seed, replications, cases,"
                    " code_version, kpis, per_replication) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (created, kind, name, file, scenario_hash, process, seed, replications, cases, code_version(),
                     json.dumps(_clean(kpis), ensure_ascii=False), json.dumps(_clean(per_replication))))
            return int(cur.lastrowid)
        finally:
            con.close()

    def record_result(self, result: SimulationResult, *, kind: str, scenario_hash: str, file: str | None = None) -> int:
        rec = result_record(result)
        return self.record(kind=kind, name=result.scenario.name, file=file, scenario_hash=scenario_hash,
                           process=result.process.id, seed=result.seed, replications=len(result.replications),
                           cases=result.scenario.cases, **rec)

    def list(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT id, created, kind, name, scenario_hash, process, seed, replications, cases,"
                               " code_version, kpis FROM runs ORDER BY id").fetchall()
        finally:
            con.close()
        out = []
        for row in rows:
            d = dict(row)
            d["kpis"] = json.loads(d["kpis"])
            out.append(d)
        return out

    def get(self, run_id: int) -> dict[str, Any]:
        """One run; :class:`ReformSimError` naming the database when there is no such id."""
        con = self._connect() if self.path.exists() else None
        row = None
        if con is not None:
            try:
                row = con.execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
            finally:
                con.close()
        if row is None:
            raise ReformSimError(f"{self.path}: no run with id {run_id}; `reformsim runs --out {self.path.parent}` lists them")
        d = dict(row)
        d["kpis"] = json.loads(d["kpis"])
        d["per_replication"] = json.loads(d["per_replication"])
        return d
