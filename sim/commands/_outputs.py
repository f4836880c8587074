"""Where compare and sweep write: a folder of ours, or ``--out FILE.xlsx`` with the rest in ``--history``.

Example:
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> outputs(d / "o", d / "h", "sweep.xlsx") == (d / "o", d / "o" / "sweep.xlsx")
    True
    >>> outputs(d / "mine.xlsx", d / "h", "sweep.xlsx") == (d / "h", d / "mine.xlsx")
    True
"""

from __future__ import annotations

from pathlib import Path


def outputs(out: Path, history: Path, name: str) -> tuple[Path, Path]:
    """(folder, workbook): ``out`` ending in .xlsx is the workbook and ``history`` takes the rest; a folder takes both.

    The workbook is checked before anything runs (:func:`sim.report.tables.check_workbook_target`): a
    file there that is not our untouched workbook is refused, never overwritten — in a folder too.
    """
    from sim.report.tables import check_workbook_target

    if out.suffix.lower() == ".xlsx":
        return history, check_workbook_target(out)
    book = out / name
    return out, check_workbook_target(book) if book.exists() else book
