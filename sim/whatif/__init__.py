"""What-if analysis: run scenarios (serially, on a process pool or on Dask), compare them, sweep them, remember them.

Submodules: :mod:`.distributed` (run specs anywhere), :mod:`.compare` (paired KPI deltas),
:mod:`.sweep` (grids and target attainment), :mod:`.history` (the SQLite run log).
"""
