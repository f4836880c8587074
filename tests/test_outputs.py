"""Output locations belong to the user: every writing command checks its destination before any work,
never deletes, renames or replaces what it did not write, and records a run in the history whole or not at all.

Each command is run through ``sim.cli.main`` as a planner would. "Before any work" is checked by
replacing the command's work function (simulation, fitting, drawing) with one that fails the test.
"""

from __future__ import annotations

import errno
import functools
import importlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim.targets
from sim.cli import main
from sim.files import MARKER, OutputError, OwnedFolder
from sim.whatif import history as history_module
from sim.whatif.history import History

ROOT = Path(__file__).parents[1]
SC = ROOT / "scenarios"
ASSESS = ROOT / "tests" / "data" / "assess"
MINI = ROOT / "tests" / "data" / "engine" / "mini.bpmn"
BEFORE = ROOT / "processes" / "company_setup_2018_baseline.bpmn"
AFTER = ROOT / "processes" / "company_setup_2021.bpmn"
USER_BYTES = "规划人员的笔记, keep me\n".encode() + bytes(range(256))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass(frozen=True)
class Command:
    name: str
    kind: str  # "folder": --out is a folder; "file": the destination is one file
    work: str  # the function doing the command's work, which must not run when the destination is bad
    file_name: str = ""  # for "file" commands: the file written in the destination folder

    def argv(self, dest: Path, log: Path | None = None) -> list[str]:
        small = ["--replications", "2", "--cases", "20", "--seed", "3"]
        return {
            "assess": ["assess", "--quick", "--register", str(ASSESS / "targets.yaml"), "--out", str(dest)],
            "compare": ["compare", str(SC / "company_setup_2021.yaml"), str(SC / "whatif_registrar_plus2.yaml"), *small,
                        "--out", str(dest)],
            "sweep": ["sweep", str(SC / "company_setup_2021.yaml"), "--vary", "agencies.market_regulation.staff=2..3", *small,
                      "--out", str(dest)],
            "diagram": ["diagram", str(ROOT / "processes" / "gas_2021.bpmn"), "--out", str(dest)],
            "diff": ["diff", str(BEFORE), str(AFTER), "--out", str(dest)],
            "run": ["run", str(MINI), "--cases", "20", "--replications", "1", "--event-log", str(dest)],
            "fit": ["fit", str(log or dest.with_name("no-log.csv")), "--process", str(MINI), "--out", str(dest)],
        }[self.name]


COMMANDS = [
    Command("assess", "folder", "sim.analysis.assess.assess"),
    Command("compare", "folder", "sim.whatif.distributed.run_specs"),
    Command("sweep", "folder", "sim.whatif.sweep.sweep"),
    Command("diagram", "file", "sim.report.diagram.render_diagram", "gas.png"),
    Command("diff", "file", "sim.report.diff.diff_processes", "diff.svg"),
    Command("run", "file", "sim.engine.runner.run_replication", "log.csv"),
    Command("fit", "file", "sim.interop.fit.fit_log", "fitted.yaml"),
]
FOLDER_COMMANDS = [c for c in COMMANDS if c.kind == "folder"]
FILE_COMMANDS = [c for c in COMMANDS if c.kind == "file"]


def _ids(c: Command) -> str:
    return c.name


@pytest.fixture
def small_register(monkeypatch: pytest.MonkeyPatch) -> None:
    """assess --register on the three-target test register (the CLI expects every row of TARGETS.md)."""
    monkeypatch.setattr(sim.targets, "load_register",
                        functools.partial(sim.targets.load_register, root=ASSESS, expected_ids=("T03", "T04", "T30")))


def _forbid(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    module, name = target.rsplit(".", 1)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{target} ran before the output location was checked")

    monkeypatch.setattr(importlib.import_module(module), name, refuse)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder`` with its bytes (None for folders): what must not change."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], named: Path) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert str(named) in err and "Traceback" not in err
    return err


@pytest.fixture
def fit_log(tmp_path: Path) -> Path:
    import sim

    log = tmp_path / "input" / "mini_log.csv"
    log.parent.mkdir()
    sim.simulate(MINI, cases=200, replications=1, seed=3, event_log=log)
    return log


@pytest.mark.parametrize("cmd", COMMANDS, ids=_ids)
def test_user_file_in_the_destination_folder_survives(cmd: Command, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(USER_BYTES)
    if cmd.name == "assess":
        folder = folder / "report"  # a report goes in a folder of its own (a folder with user files is refused)
        folder.mkdir()
    log = request.getfixturevalue("fit_log") if cmd.name == "fit" else None
    if cmd.name == "assess":
        request.getfixturevalue("small_register")
    dest = folder if cmd.kind == "folder" else folder / cmd.file_name
    assert main(cmd.argv(dest, log)) == 0
    assert (tmp_path / "results" / "notes.txt").read_bytes() == USER_BYTES
    written = folder / {"assess": "report.html", "compare": "comparison.json", "sweep": "sweep.csv"}.get(cmd.name, cmd.file_name)
    assert written.is_file() and written.stat().st_size > 0
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith((".part", ".old")) or ".reformsim-probe" in p.name]
    assert leftovers == []


@pytest.mark.parametrize("cmd", FOLDER_COMMANDS, ids=_ids)
def test_out_naming_a_file_is_refused_before_any_work(cmd: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "results"
    dest.write_bytes(USER_BYTES)
    before = _snapshot(tmp_path)
    _forbid(monkeypatch, cmd.work)
    err = _refused(capsys, cmd.argv(dest), dest)
    assert "this is a file" in err
    assert _snapshot(tmp_path) == before  # not renamed to .results.old, not replaced


@pytest.mark.parametrize("cmd", FILE_COMMANDS, ids=_ids)
def test_file_output_naming_a_folder_is_refused_before_any_work(cmd: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "results"
    dest.mkdir()
    (dest / "notes.txt").write_bytes(USER_BYTES)
    before = _snapshot(tmp_path)
    _forbid(monkeypatch, cmd.work)
    err = _refused(capsys, cmd.argv(dest), dest)
    assert "this is a folder" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("cmd", COMMANDS, ids=_ids)
def test_destination_under_a_regular_file_is_refused_before_any_work(cmd: Command, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(USER_BYTES)
    dest = blocker / ("out" if cmd.kind == "folder" else cmd.file_name)
    before = _snapshot(tmp_path)
    _forbid(monkeypatch, cmd.work)
    err = _refused(capsys, cmd.argv(dest), dest)
    assert "is a file" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("cmd", FILE_COMMANDS, ids=_ids)
def test_file_output_in_a_missing_folder_is_refused_before_any_work(cmd: Command, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "no-such-folder" / cmd.file_name
    _forbid(monkeypatch, cmd.work)
    err = _refused(capsys, cmd.argv(dest), dest)
    assert "does not exist" in err
    assert list(tmp_path.iterdir()) == []  # the folder was not made either


@pytest.mark.parametrize("cmd", COMMANDS, ids=_ids)
def test_unwritable_folder_is_refused_before_any_work(cmd: Command, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    if IS_ROOT:
        # chmod does not stop root; /proc takes no new files whoever asks, so it stands in for a read-only folder.
        assert Path("/proc").is_dir(), "this test needs /proc (Linux) when run as root"
        locked = Path(f"/proc/reformsim-test-{os.getpid()}")
        parent = Path("/proc")
    else:
        parent = tmp_path / "read-only"
        parent.mkdir()
        (parent / "notes.txt").write_bytes(USER_BYTES)
        parent.chmod(0o555)
        locked = parent / "out"
    try:
        dest = locked if cmd.kind == "folder" else parent / cmd.file_name
        _forbid(monkeypatch, cmd.work)
        _refused(capsys, cmd.argv(dest), dest)  # once untimed: the first call imports the command's modules (matplotlib: ~1 s)
        start = time.perf_counter()
        err = _refused(capsys, cmd.argv(dest), dest)
        assert time.perf_counter() - start < 1.0
        assert "cannot write" in err
        assert not dest.exists()
    finally:
        if not IS_ROOT:
            parent.chmod(0o755)
    if not IS_ROOT:
        assert (parent / "notes.txt").read_bytes() == USER_BYTES


def test_assess_refuses_a_folder_of_the_users_and_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "my-documents"
    dest.mkdir()
    (dest / "budget.xlsx").write_bytes(USER_BYTES)
    (dest / "sub").mkdir()
    before = _snapshot(tmp_path)
    _forbid(monkeypatch, "sim.analysis.assess.assess")
    err = _refused(capsys, COMMANDS[0].argv(dest), dest)
    assert "did not write" in err and "new or empty folder" in err
    assert _snapshot(tmp_path) == before


@pytest.mark.usefixtures("small_register")
def test_assess_reruns_into_its_own_report_folder_and_keeps_the_users_file(tmp_path: Path) -> None:
    dest = tmp_path / "report"
    assert main(COMMANDS[0].argv(dest)) == 0
    first = json.loads((dest / MARKER).read_text(encoding="utf-8"))["files"]
    assert "report.html" in first and "verdicts.csv" in first and "assessment.xlsx" in first
    (dest / "my-notes.md").write_bytes(USER_BYTES)
    (dest / "report.html").write_text("stale", encoding="utf-8")
    assert main(COMMANDS[0].argv(dest)) == 0
    assert (dest / "my-notes.md").read_bytes() == USER_BYTES
    assert (dest / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    marker = json.loads((dest / MARKER).read_text(encoding="utf-8"))["files"]
    assert set(marker) == set(first) and "my-notes.md" not in marker
    assert sorted(p.name for p in dest.iterdir()) == sorted([*first, MARKER, "my-notes.md"])


@pytest.mark.usefixtures("small_register")
def test_a_report_that_fails_half_way_leaves_the_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.report.html

    dest = tmp_path / "report"
    assert main(COMMANDS[0].argv(dest)) == 0
    before = _snapshot(tmp_path)

    def broken(sheets: object) -> bytes:
        raise RuntimeError("the workbook could not be drawn")

    monkeypatch.setattr(sim.report.html, "workbook_bytes", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))  # the CLI's crash log goes there, outside the snapshot
    (tmp_path / "tmp").mkdir()
    assert main(COMMANDS[0].argv(dest)) == 1  # an internal error: exit 1, traceback in the crash log
    (tmp_path / "tmp").rename(tmp_path.parent / f"{tmp_path.name}-crashlog")
    assert _snapshot(tmp_path) == before


def test_owned_folder_removes_only_its_own_unchanged_stale_files(tmp_path: Path) -> None:
    folder = OwnedFolder(tmp_path / "r").check()
    folder.replace_files({"a.csv": "1", "b.csv": "2", "c.csv": "3"})
    (folder.path / "c.csv").write_text("edited by the planner", encoding="utf-8")
    (folder.path / "mine.txt").write_bytes(USER_BYTES)
    folder.replace_files({"a.csv": "new"})
    assert sorted(p.name for p in folder.path.iterdir()) == sorted([MARKER, "a.csv", "c.csv", "mine.txt"])
    assert (folder.path / "c.csv").read_text(encoding="utf-8") == "edited by the planner"  # changed since: the planner's now
    assert (folder.path / "a.csv").read_text(encoding="utf-8") == "new"


def test_owned_folder_with_an_unreadable_marker_deletes_nothing(tmp_path: Path) -> None:
    folder = OwnedFolder(tmp_path / "r").check()
    folder.replace_files({"a.csv": "1", "b.csv": "2"})
    folder.marker.write_text("{not json", encoding="utf-8")
    folder.replace_files({"a.csv": "3"})
    assert (folder.path / "b.csv").read_text(encoding="utf-8") == "2"


def test_owned_folder_refuses_names_outside_it(tmp_path: Path) -> None:
    folder = OwnedFolder(tmp_path / "r").check()
    with pytest.raises(ValueError, match="plain names"):
        folder.replace_files({"../escape.txt": "x"})
    assert not (tmp_path / "escape.txt").exists()


def test_diagram_on_a_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from matplotlib.figure import Figure

    out = tmp_path / "gas.png"
    out.write_bytes(USER_BYTES)

    def full_disk(self: Figure, fh: object, **kwargs: object) -> None:
        fh.write(b"\x89PNG half")  # type: ignore[attr-defined]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)
    err = _refused(capsys, ["diagram", str(ROOT / "processes" / "gas_2021.bpmn"), "--out", str(out)], out)
    assert "No space left" in err
    assert out.read_bytes() == USER_BYTES
    assert [p.name for p in tmp_path.iterdir()] == ["gas.png"]  # no temporary file left


def _fields(i: int) -> dict[str, object]:
    return {"kind": "sweep", "name": f"point {i}", "file": None, "scenario_hash": "h", "process": "p", "seed": 1,
            "replications": 2, "cases": 10, "kpis": {"workdays": {"mean": float(i)}}, "per_replication": {"workdays": [i, i]}}


def test_history_records_a_sweep_all_or_nothing(tmp_path: Path) -> None:
    h = History(tmp_path)
    h.record_many([_fields(0)])

    def points_then_failure():
        yield _fields(1)
        yield _fields(2)
        raise RuntimeError("interrupted while recording")

    with pytest.raises(RuntimeError):
        h.record_many(points_then_failure())
    assert [r["name"] for r in h.list()] == ["point 0"]  # nothing of the failed sweep
    assert h.record_many([_fields(3), _fields(4)]) == [2, 3]


_KILL_MID_RECORD = """
import os, signal, sys
sys.path.insert(0, {root!r})
from sim.whatif.history import History
from tests.test_outputs import _fields

def points():
    yield _fields(1)
    yield _fields(2)
    os.kill(os.getpid(), signal.SIGKILL)  # the planner's machine dies between two rows of one sweep
    yield _fields(3)

History({folder!r}).record_many(points())
"""


def test_history_survives_sigkill_while_recording(tmp_path: Path) -> None:
    h = History(tmp_path)
    h.record_many([_fields(0)])
    code = _KILL_MID_RECORD.format(root=str(ROOT), folder=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert [r["name"] for r in h.list()] == ["point 0"]
    con = sqlite3.connect(h.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def _lock(path: Path) -> sqlite3.Connection:
    """Another process's write lock on the history, as a second reformsim recording would hold it."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    return con


def test_locked_history_is_a_clear_error_before_simulating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    History(tmp_path).record_many([_fields(0)])
    holder = _lock(tmp_path / "runs.sqlite")
    try:
        with pytest.raises(OutputError, match="in use by another process for more than 0.2 s"):
            History(tmp_path, timeout=0.2).check_writable()
        monkeypatch.setattr(history_module, "BUSY_TIMEOUT", 0.2)
        _forbid(monkeypatch, "sim.whatif.sweep.sweep")
        start = time.perf_counter()
        _refused(capsys, COMMANDS[2].argv(tmp_path), tmp_path / "runs.sqlite")
        assert time.perf_counter() - start < 2.0
    finally:
        holder.rollback()
        holder.close()
    assert [r["name"] for r in History(tmp_path).list()] == ["point 0"]


def test_a_file_that_is_not_a_history_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "runs.sqlite").write_bytes(USER_BYTES)
    _forbid(monkeypatch, "sim.whatif.distributed.run_specs")
    _refused(capsys, COMMANDS[1].argv(tmp_path), tmp_path / "runs.sqlite")
    assert (tmp_path / "runs.sqlite").read_bytes() == USER_BYTES


def test_sweep_records_every_point_in_one_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = History.record_many

    def counting(self: History, runs: object) -> list[int]:
        ids = original(self, runs)
        calls.append(len(ids))
        return ids

    monkeypatch.setattr(History, "record_many", counting)
    assert main(COMMANDS[2].argv(tmp_path / "sw")) == 0
    assert calls == [2]  # both points, one transaction
