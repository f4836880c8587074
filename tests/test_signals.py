"""Real signals: Ctrl-C (SIGINT) and SIGTERM stop a running simulation promptly with 130 / 143."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_long_run_promptly_with_its_exit_code(tmp_path: Path, sig: int, code: int) -> None:
    cmd = [sys.executable, "-m", "sim.cli", "run", str(ROOT / "processes/company_setup_2021.bpmn"),
           "--cases", "200000", "--replications", "30"]  # minutes of work: only a signal ends it in time
    proc = subprocess.Popen(cmd, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(12)  # imports and loading done (slow on a shared machine), simulating: no progress line on a pipe
    assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
    proc.send_signal(sig)
    sent = time.monotonic()
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == code, err.decode()
    assert time.monotonic() - sent < 5
    assert "interrupted" in err.decode()
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary file
