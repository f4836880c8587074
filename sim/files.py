"""Writing files so that an interrupted run never leaves half of one.

Every output (BPMN, event logs, overlays, tables, plots) is written to a temporary file in the
target's folder and renamed over the target when complete: a reader sees the old file or the
new one, never a torn one.

Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> atomic_write(target, "完成").read_text(encoding="utf-8")
    '完成'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write"]


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` (text as UTF-8); on success it replaces ``path``."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline=newline if text else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for everyone to read
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, make_parents: bool = False) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; return the path."""
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(target, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target
