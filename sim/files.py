"""Writing files so that an interrupted run never leaves half of one, and output locations checked up front.

Every output (BPMN, event logs, overlays, tables, plots) is written to a temporary file in the
target's folder and renamed over the target when complete: a reader sees the old file or the
new one, never a torn one.

Every command that writes checks its destination with :func:`output_file` or
:func:`output_folder` *before* it simulates, so a typo in ``--out`` costs a second, not the run.
The check really creates (and removes) a small file in the destination folder: permission bits
say nothing when running as root, on a read-only mount or on a full disk.

Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> output_file(target) == target
    True
    >>> atomic_write(target, "完成").read_text(encoding="utf-8")
    '完成'
    >>> output_folder(target)
    Traceback (most recent call last):
    ...
    sim.files.OutputError: ...out.txt: output folder expected, but this is a file; give a folder name (nothing was changed)
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import ReformSimError
from .interrupts import deferred

__all__ = ["MARKER", "OutputError", "OwnedFolder", "atomic_create", "atomic_open", "atomic_write", "json_safe", "output_file", "output_folder"]

# Bytes the writability probe writes and syncs: enough that a full disk refuses it (an empty
# file needs only an inode), small enough to cost nothing.
_PROBE_BYTES = 4096


class OutputError(ReformSimError):
    """An output location that cannot be used: named by path, with what was expected.

    >>> str(OutputError("out.png", "output file expected, but this is a folder"))
    'out.png: output file expected, but this is a folder'
    """

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


def _probe(folder: Path, target: Path, what: str) -> None:
    """Create, fill, sync and remove a temporary file in ``folder``; OutputError naming ``target`` if that fails."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".reformsim-probe.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(target, f"cannot write the {what} here: {exc.strerror or exc} (in {folder})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"\0" * _PROBE_BYTES)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise OutputError(target, f"cannot write the {what} here: {exc.strerror or exc} (in {folder})") from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def output_file(path: str | os.PathLike[str], *, what: str = "output file", suffixes: tuple[str, ...] | None = None) -> Path:
    """Check that ``path`` can be written as a file (its folder exists and takes a file); return it as a Path.

    An existing file at ``path`` is fine (the command was asked to write it); a folder is not, a
    missing parent folder is not (a typo there is likelier than a wish for a new folder), nor is
    a suffix outside ``suffixes``. Nothing is created or changed.

    >>> output_file("/nonexistent-folder/x.png", what="diagram")
    Traceback (most recent call last):
    ...
    sim.files.OutputError: /nonexistent-folder/x.png: the folder /nonexistent-folder of the diagram does not exist; create it first
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(target, f"{what} expected, but this is a folder; give a file name (nothing was changed)")
    if suffixes is not None and target.suffix.lower() not in suffixes:
        raise OutputError(target, f"the {what} must end in {' or '.join(suffixes)}, got \"{target.suffix}\"")
    parent = target.parent
    if not parent.exists():
        raise OutputError(target, f"the folder {parent} of the {what} does not exist; create it first")
    if not parent.is_dir():
        raise OutputError(target, f"{parent} is a file, so the {what} cannot be written under it")
    _probe(parent, target, what)
    return target


def output_folder(path: str | os.PathLike[str], *, what: str = "output folder") -> Path:
    """Check that ``path`` is, or can be made, a folder that takes files; return it as a Path.

    A missing folder (and missing parents) is fine: it is made when the command writes. Nothing
    is created here, so a run that fails later leaves no empty folder behind.
    """
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise OutputError(target, f"{what} expected, but this is a file; give a folder name (nothing was changed)")
    existing = target
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(target, f"{existing} is a file, so the {what} cannot be made under it")
    _probe(existing, target, what)
    return target


# Errors of the destination, not of the program: a full disk, a quota, a read-only mount, no permission.
_DESTINATION_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` (text as UTF-8); on success it replaces ``path``.

    On failure the temporary file is removed and ``path`` is as it was; a full disk, a read-only
    folder or a refused permission becomes an :class:`OutputError` naming ``path``.
    """
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        err = _destination_error(target, exc)
        if err is exc:
            raise
        raise err from exc
    try:
        text = "b" not in mode
        with os.fdopen(fd, mode, encoding="utf-8" if text else None, newline=newline if text else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for everyone to read
        with deferred():  # an interrupted run (even one whose Ctrl-C a library swallowed) replaces nothing
            os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in _DESTINATION_ERRNOS:
            raise _destination_error(target, exc) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _destination_error(target: Path, exc: OSError) -> OSError | OutputError:
    """An :class:`OutputError` for an error of the destination (full, read-only, forbidden, missing folder), else ``exc``."""
    if exc.errno in _DESTINATION_ERRNOS or exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return OutputError(target, f"cannot write here: {exc.strerror or exc}; any earlier file of this name is unchanged")
    return exc


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, make_parents: bool = False) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` atomically; return the path."""
    target = Path(path)
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(target, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target


def atomic_create(path: str | os.PathLike[str], data: bytes | str, *, what: str = "file") -> Path:
    """Write ``data`` to ``path`` only if no file is there, atomically; an existing one is never touched.

    The content is written beside ``path`` first and then linked into place (a hard link fails when
    the name exists, so no check-then-write race can overwrite a file that appeared meanwhile).

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> atomic_create(folder / "a.yaml", "x: 1").read_text()
    'x: 1'
    >>> atomic_create(folder / "a.yaml", "x: 2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.files.OutputError: .../a.yaml: a file of this name exists and is kept as it is; choose another name or remove it first
    """
    target = Path(path)
    exists = OutputError(target, f"a {what} of this name exists and is kept as it is; choose another name or remove it first")
    if target.exists() or target.is_symlink():
        raise exists
    output_file(target, what=what)  # the folder exists and takes a file
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        with deferred():
            os.link(tmp, target)
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        err = _destination_error(target, exc)
        if err is exc:
            raise
        raise err from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


MARKER = ".reformsim-report"
_MARKER_VERSION = 1


class OwnedFolder:
    """A folder ReformSim writes a set of files into, and the only files it ever replaces or removes there.

    The marker file (:data:`MARKER`, JSON) lists every file written, with its SHA-256. A folder
    is used when it does not exist yet, is empty, or carries the marker; a folder holding
    anything else is refused rather than written into: a report silently put in a subfolder
    would be one the planner does not find, and a refusal changes nothing. In a marked folder
    a rerun replaces the files it writes (each atomically), removes the files of the previous
    run it no longer writes (only while they are as it left them) and leaves every other file
    alone.

    Example:
        >>> import tempfile, pathlib
        >>> folder = OwnedFolder(pathlib.Path(tempfile.mkdtemp()) / "report").check()
        >>> [p.name for p in folder.replace_files({"a.txt": "1", "b.txt": "2"})]
        ['a.txt', 'b.txt']
        >>> (folder.path / "mine.txt").write_text("the planner's")
        13
        >>> [p.name for p in folder.replace_files({"a.txt": "3"})]
        ['a.txt']
        >>> sorted(p.name for p in folder.path.iterdir())
        ['.reformsim-report', 'a.txt', 'mine.txt']
    """

    def __init__(self, path: str | os.PathLike[str], *, what: str = "report folder") -> None:
        self.path = Path(path)
        self.what = what

    @property
    def marker(self) -> Path:
        return self.path / MARKER

    def check(self) -> OwnedFolder:
        """Refuse, with an :class:`OutputError` and before any work, a location this folder cannot be; return self."""
        output_folder(self.path, what=self.what)
        if self.path.is_dir() and not self.marker.is_file() and any(self.path.iterdir()):
            raise OutputError(self.path, f"the {self.what} already holds files that ReformSim did not write (no {MARKER} "
                                         "marker); choose a new or empty folder, e.g. --out "
                                         f"{self.path.with_name(self.path.name + '-report')} (nothing was changed; a report "
                                         "of an older ReformSim has no marker either: remove it yourself if it can go)")
        return self

    def _previous(self) -> dict[str, str]:
        """Files of the previous run, name → SHA-256 ("" when unknown); {} for an unreadable marker (nothing removed)."""
        try:
            data = json.loads(self.marker.read_text(encoding="utf-8"))
            files = data["files"]
            return {str(k): str(v) for k, v in files.items() if _plain_name(str(k))}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _write_marker(self, files: Mapping[str, str]) -> None:
        text = json.dumps({"written_by": "reformsim", "version": _MARKER_VERSION, "files": dict(sorted(files.items()))},
                          ensure_ascii=False, indent=1)
        atomic_write(self.marker, text + "\n")

    def replace_files(self, files: Mapping[str, bytes | str]) -> list[Path]:
        """Write ``files`` (plain names → content) into the folder; return their paths in the order given.

        The marker first lists old and new files together, so a run killed half-way leaves a
        folder that is still recognisably ours and lists everything of ours in it.
        """
        self.check()
        bad = [n for n in files if not _plain_name(n) or n == MARKER]
        if bad:
            raise ValueError(f"file names in a {self.what} must be plain names, got {bad}")
        with deferred():  # a few files already in memory: a Ctrl-C waits the moment it takes, so no report is half old, half new
            return self._replace(files)

    def _replace(self, files: Mapping[str, bytes | str]) -> list[Path]:
        self.path.mkdir(parents=True, exist_ok=True)
        previous = self._previous()
        blobs = {n: d.encode("utf-8") if isinstance(d, str) else d for n, d in files.items()}
        digests = {n: hashlib.sha256(b).hexdigest() for n, b in blobs.items()}
        self._write_marker({**previous, **digests})
        written = [atomic_write(self.path / n, b) for n, b in blobs.items()]
        for name, digest in previous.items():
            stale = self.path / name
            if name not in blobs and stale.is_file() and not stale.is_symlink() and _sha256(stale) == digest:
                stale.unlink()
        self._write_marker(digests)
        return written


def _plain_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and os.sep not in name


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def json_safe(x: Any) -> Any:
    """``x`` with every non-finite float (NaN, ±inf) replaced by None, so strict JSON parsers accept it.

    >>> json_safe({"mean": float("nan"), "ci": [1.0, float("inf")]})
    {'mean': None, 'ci': [1.0, None]}
    """
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    return x
