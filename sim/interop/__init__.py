"""Interoperability: event logs out (CSV/XES), Prosimos models in, scenario calibration from a log.

Example:
    >>> from sim.interop import write_event_log, import_prosimos, fit_log, write_overlay
"""

from __future__ import annotations

from .eventlog import write_event_log
from .fit import ActivityFit, FitResult, fit_log, write_overlay
from .prosimos import import_prosimos

__all__ = ["write_event_log", "import_prosimos", "fit_log", "write_overlay", "FitResult", "ActivityFit"]
