"""The fast executor's array layout: codes and column numbers shared by the kernel and its driver.

Kept apart from :mod:`sim.engine.fast_kernel` so that choosing or describing an executor does not
import numba (the kernel is imported when a run starts).

>>> K_TASK, N_COLUMNS
(2, 14)
"""

# node kinds
K_START, K_END, K_TASK, K_TIMER, K_PARALLEL, K_EXCLUSIVE, K_PASS = 0, 1, 2, 3, 4, 5, 6
# columns of the node table NI
N_KIND, N_INCOMING, N_AGENCY, N_COL_WORK, N_COL_WAIT, N_WAIT_UNIT, N_ROUTE, N_PROC, N_ONLINE, N_DOCS, N_JOIN, N_S0, N_S1, \
    N_SAME_CLOCK = range(14)
N_COLUMNS = 14
UNIT_HOUR, UNIT_WORKDAY, UNIT_DAY = 0, 1, 2
# token stages: where a token resumes
S_NODE, S_GRANTED, S_WORKED_AGENCY, S_WORKED, S_WAITED = 0, 1, 2, 3, 4
URGENT, NORMAL = 0, 1  # simpy.events.URGENT / NORMAL
# token float columns TF: the statutory clock's working time at enable; enable, start, staff effort, worked,
# granted, queued; and the statutory clock's working time at granted, start and worked when a calendar read of
# the step already gave it (NaN: not read yet)
T_W_ENABLE, T_ENABLE, T_START, T_EFFORT, T_WORKED, T_GRANTED, T_QUEUED, T_W_GRANTED, T_W_START, T_W_WORKED = range(10)
TOKEN_FLOATS = 10
# what run_events returns
ST_DONE, ST_NEED_CASES, ST_FLUSH, ST_CALENDAR, ST_ROUTE, ST_REVISIT, ST_GROW, ST_CALENDAR_SOON = 0, 1, 2, 3, 4, 5, 6, 7
# scalar state SI (int64) and SF (float64)
I_EID, I_HEAP, I_FREE, I_NEXT, I_LOADED, I_ALL_LOADED, I_BASE, I_WOKEN, I_PENDING, I_OUT_CASES, I_OUT_STEPS, \
    I_ERR_CASE, I_ERR_NODE, I_PATHS, I_WARMUP, I_FLOWS, I_CAL_LIMIT, I_UHEAD, I_ULEN = range(19)
SCALARS = 19
F_NOW, F_FIRST, F_LAST_END, F_WARMUP_UNTIL = range(4)
# per-case int columns CI
C_LIVE, C_REACHED_END, C_DOCS, C_NPROC, C_PLEN, C_DONE = range(6)
# per-case float columns CF (C_W_ARRIVAL: the statutory clock's working time at arrival)
C_T, C_ARRIVAL, C_FEE, C_W_ARRIVAL = range(4)
CASE_FLOATS = 4
OUT_CASE_COLUMNS = 8  # workdays, calendar_days, hours, db_days, procedures, documents, fee, path id
