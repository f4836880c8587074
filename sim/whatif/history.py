"""Run history: every compare/sweep run recorded in an SQLite file in the output folder.

A row keeps what is needed to compare two past runs without rerunning them: the scenario's
content hash, seed, code version, pooled KPIs and the per-replication means (paired differences
need those).

All rows of one command (both sides of a compare, every point of a sweep) go in ONE
transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): a run killed while recording leaves the history
as it was before, never half a sweep. A history another process holds longer than the busy
timeout is a clear :class:`~sim.files.OutputError`, and commands call :meth:`History.check_writable`
before they simulate.

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
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..engine.runner import CASE_METRICS, SimulationResult
from .. import interrupts
from ..errors import ReformSimError
from ..files import OutputError, json_safe, output_folder

__all__ = ["History", "DB_NAME", "BUSY_TIMEOUT", "code_version", "result_record", "run_fields"]

DB_NAME = "runs.sqlite"
# Seconds to wait for another reformsim writing the same history; a sweep records in well under
# a second, so 30 s means the other process is stuck, not slow.
BUSY_TIMEOUT = 30.0
_COLUMNS = ("created", "kind", "name", "file", "scenario_hash", "process", "seed", "replications", "cases",
            "code_version", "kpis", "per_replication")

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


def result_record(result: SimulationResult) -> dict[str, Any]:
    """Pooled KPIs and per-replication means (case metrics and agency utilisation) of a result."""
    summary = result.summary()
    per = {m: result.replication_means(m).tolist() for m in CASE_METRICS}
    for aid in result.replications[0].agencies:
        per[f"utilisation.{aid}"] = [r.agencies[aid].utilisation for r in result.replications]
    kpis = dict(summary["kpis"])
    kpis["agencies"] = summary["agencies"]
    return {"kpis": json_safe(kpis), "per_replication": json_safe(per)}


def run_fields(result: SimulationResult, *, kind: str, scenario_hash: str, file: str | None = None) -> dict[str, Any]:
    """The fields :meth:`History.record` stores for ``result`` (computed before the transaction opens)."""
    return dict(kind=kind, name=result.scenario.name, file=file, scenario_hash=scenario_hash, process=result.process.id,
                seed=result.seed, replications=len(result.replications), cases=result.scenario.cases, **result_record(result))


class History:
    """The SQLite run log in ``folder`` (created on first record)."""

    def __init__(self, folder: str | Path, *, timeout: float | None = None) -> None:
        self.path = Path(folder) / DB_NAME
        self.timeout = BUSY_TIMEOUT if timeout is None else timeout

    @contextmanager
    def _connection(self, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        """An autocommit connection (transactions are explicit); SQLite errors become an OutputError naming the file."""
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = None
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            con.row_factory = sqlite3.Row
            yield con
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise OutputError(self.path, f"the run history is in use by another process for more than {self.timeout:g} s; "
                                             "wait for it to finish, or give another --out") from None
            raise OutputError(self.path, f"cannot use the run history: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise OutputError(self.path, f"cannot use the run history ({exc}); is this a ReformSim runs.sqlite?") from None
        finally:
            if con is not None:
                con.close()

    def check_writable(self) -> None:
        """Before simulating: the folder takes files and, when the history exists, it can be locked for writing now.

        Raises :class:`~sim.files.OutputError` (a file where the folder should be, a read-only or
        locked history); creates nothing.
        """
        output_folder(self.path.parent)
        if self.path.is_dir():
            raise OutputError(self.path, "the run history should be a file, but this is a folder")
        if self.path.exists():
            with self._connection() as con:
                con.execute("BEGIN IMMEDIATE")  # takes the write lock, as recording will
                con.execute(_SCHEMA)
                con.execute("ROLLBACK")

    def record_many(self, runs: Iterable[dict[str, Any]]) -> list[int]:
        """Store several runs in ONE transaction; return their ids. Interrupted, it stores none of them.

        Each run is a mapping with the keyword arguments of :meth:`record`.
        """
        created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        ids: list[int] = []
        rows = [dict(run, created=created, code_version=code_version(),
                     kpis=json.dumps(json_safe(run["kpis"]), ensure_ascii=False),
                     per_replication=json.dumps(json_safe(run["per_replication"]))) for run in runs]
        interrupts.check()  # an interrupted run is not recorded, not even when its Ctrl-C was swallowed on the way
        with self._connection(create=True) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                # why deferred: a signal while the rows go in is held, so the transaction ends in a
                # ROLLBACK we chose (below), not wherever the interrupt happened to land
                with interrupts.deferred():
                    con.execute(_SCHEMA)
                    for row in rows:
                        cur = con.execute(f"INSERT INTO runs ({', '.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))})",
                                          tuple(row[c] for c in _COLUMNS))
                        ids.append(int(cur.lastrowid))
                    interrupts.check()  # a signal during the inserts: roll back rather than commit
                    con.execute("COMMIT")
            except BaseException:
                with interrupts.shielded():  # the ROLLBACK is not itself cut short by a second Ctrl-C
                    if con.in_transaction:  # not after a COMMIT that went through (a signal right after it)
                        con.execute("ROLLBACK")
                raise
        return ids

    def record(self, *, kind: str, name: str, file: str | None, scenario_hash: str, process: str, seed: int,
               replications: int, cases: int, kpis: dict[str, Any], per_replication: dict[str, Any]) -> int:
        """Store one run; returns its id (one transaction, so an interrupted write leaves no half row)."""
        return self.record_many([{"kind": kind, "name": name, "file": file, "scenario_hash": scenario_hash, "process": process,
                                  "seed": seed, "replications": replications, "cases": cases, "kpis": kpis,
                                  "per_replication": per_replication}])[0]

    def record_results(self, results: Iterable[tuple[SimulationResult, str, str | None]], *, kind: str) -> list[int]:
        """Store ``(result, scenario_hash, file)`` runs in one transaction (a whole sweep or both sides of a compare)."""
        return self.record_many([run_fields(r, kind=kind, scenario_hash=h, file=f) for r, h, f in results])

    def record_result(self, result: SimulationResult, *, kind: str, scenario_hash: str, file: str | None = None) -> int:
        return self.record_results([(result, scenario_hash, file)], kind=kind)[0]

    def list(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        with self._connection() as con:
            con.execute(_SCHEMA)
            rows = con.execute("SELECT id, created, kind, name, scenario_hash, process, seed, replications, cases,"
                               " code_version, kpis FROM runs ORDER BY id").fetchall()
        out = []
        for row in rows:
            d = dict(row)
            d["kpis"] = json.loads(d["kpis"])
            out.append(d)
        return out

    def get(self, run_id: int) -> dict[str, Any]:
        """One run; :class:`ReformSimError` naming the database when there is no such id."""
        row = None
        if self.path.is_file():
            with self._connection() as con:
                con.execute(_SCHEMA)
                row = con.execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if row is None:
            raise ReformSimError(f"{self.path}: no run with id {run_id}; `reformsim runs --out {self.path.parent}` lists them")
        d = dict(row)
        d["kpis"] = json.loads(d["kpis"])
        d["per_replication"] = json.loads(d["per_replication"])
        return d
