"""Report tables as plain rows: verdicts, steps, agencies, sensitivity; written as CSV and one Excel workbook.

Example:
    >>> rows = [{"a": 1, "b": "x"}]
    >>> write_csv(rows, Path(tempfile.mkdtemp()) / "t.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    'a,b'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import tempfile  # noqa: F401 - used by the doctest
from pathlib import Path
from typing import Any

from ..files import atomic_write

__all__ = ["write_csv", "write_workbook", "csv_bytes", "workbook_bytes", "fmt", "check_workbook_target", "WRITER"]

# Author and last editor in every workbook we write: how a rerun knows a file is ours and unchanged.
WRITER = "ReformSim"


def fmt(x: Any, digits: int = 2) -> str:
    """A cell as text: NaN/None blank, floats rounded."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The table as CSV, UTF-8 with BOM so Excel shows the Chinese labels."""
    cols = list(rows[0]) if rows else []
    fh = io.StringIO(newline="")
    w = csv.DictWriter(fh, fieldnames=cols)
    w.writeheader()
    for r in rows:
        w.writerow({k: fmt(v, 4) if isinstance(v, float) else ("" if v is None else v) for k, v in r.items()})
    return fh.getvalue().encode("utf-8-sig")


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """:func:`csv_bytes` written atomically to ``path``."""
    return atomic_write(path, csv_bytes(rows))


def write_workbook(sheets: dict[str, list[dict[str, Any]]], path: Path) -> Path:
    """:func:`workbook_bytes` written atomically to ``path``."""
    return atomic_write(path, workbook_bytes(sheets))


def workbook_bytes(sheets: dict[str, list[dict[str, Any]]]) -> bytes:
    """One sheet per table (sheet names cut to Excel's 31 characters, made unique), as .xlsx bytes."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = WRITER
    wb.remove(wb.active)
    used: set[str] = set()
    for name, rows in sheets.items():
        title = name[:31]
        i = 1
        while title in used:
            title = f"{name[:28]}_{i}"
            i += 1
        used.add(title)
        ws = wb.create_sheet(title)
        cols = list(rows[0]) if rows else []
        ws.append(cols)
        for r in rows:
            ws.append([None if isinstance(v, float) and math.isnan(v) else v if isinstance(v, (int, float, str)) or v is None
                       else str(v) for v in r.values()])
    buf = io.BytesIO()
    # created just before the save stamps modified: the two differ by under a second in a file of ours
    wb.properties.created = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    wb.save(buf)
    return buf.getvalue()


def check_workbook_target(path: str | Path) -> Path:
    """Check, before any work, that ``path`` can take a workbook without overwriting a file of the user's.

    A missing file is fine; an existing one only when it is a workbook we wrote and nothing saved
    since (author and last editor :data:`WRITER`, modified within :data:`_SAVED_WITHIN` seconds of its
    creation: any later save, by Excel or anything else, moves the modified stamp). Anything else is an
    :class:`~sim.files.OutputError`: choose another name. The check reads the package's core
    properties as bytes (no XML parser touches the user's file).
    """
    import re
    import zipfile

    from ..files import OutputError, output_file

    target = output_file(path, what="Excel workbook", suffixes=(".xlsx",))
    if not target.exists():
        return target
    ours = False
    try:
        with zipfile.ZipFile(target) as z:
            info = z.getinfo("docProps/core.xml")
            if info.file_size <= 65536:  # assumption: core properties are a few hundred bytes; a huge one is not ours
                core = z.read(info)
                stamp = rb'<dcterms:%s[^>]*>([^<]*)</dcterms:%s>'
                created, modified = (re.search(stamp % (k, k), core) for k in (b"created", b"modified"))
                ours = (re.search(f"<dc:creator[^>]*>{WRITER}</dc:creator>".encode(), core) is not None and
                        re.search(f"<cp:lastModifiedBy>{WRITER}</cp:lastModifiedBy>".encode(), core) is not None and
                        created is not None and modified is not None and
                        abs((_stamp(modified.group(1)) - _stamp(created.group(1))).total_seconds()) <= _SAVED_WITHIN)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        ours = False
    if not ours:
        raise OutputError(target, "this file exists and is not a workbook ReformSim wrote (or it was saved by another program "
                                  "since); give a new file name (nothing was changed)")
    return target


# assumption: seconds between our workbook's created and modified stamps (written at second precision);
# a planner's save comes later than that.
_SAVED_WITHIN = 2.0


def _stamp(raw: bytes) -> dt.datetime:
    """A W3CDTF stamp of the core properties (``2026-12-02T00:23:15Z``) as a naive UTC datetime."""
    return dt.datetime.fromisoformat(raw.decode("ascii").strip().rstrip("Z"))
