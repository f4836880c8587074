"""The ``fast`` executor's event loop, compiled by numba: SimPy's semantics over flat arrays.

Everything here mirrors a Python original line for line, so that a case's record is the same
float for float: the working-time arithmetic of :class:`sim.model.calendar.WorkClock`
(``working_time``, ``at_working_time``, ``next_open``), the token walk of
:func:`sim.engine.compiled.run_compiled`, :meth:`sim.engine.core.Replication.perform_step` and
``finish_case``, :func:`sim.model.clocks.db_days`, and SimPy's event order — (time, priority, event id), with process starts URGENT and timeouts/turns
NORMAL, each event id taken when the event is scheduled, as ``simpy.Environment.schedule`` does
(URGENT starts in a ring, NORMAL events in a heap: see :func:`schedule_urgent`). Change one of the
originals and ``tests/test_fast.py`` fails until this file follows.

State lives in arrays the caller owns (:mod:`sim.engine.fast`), so :func:`run_events` can stop
(for more arrivals, to empty its output buffers, to grow) and resume where it stopped.

Example (the calendar helpers on a one-clock table: 2 days, open 09:00-17:00 on the first only):
    >>> import numpy as np
    >>> wd = np.array([1, 0], dtype=np.uint8); ob = np.array([[0.0, 8.0, 8.0]]); od = np.array([0]); hpd = np.array([8.0])
    >>> per = np.array([[[9.0, 17.0, 0.0, 8.0]]]); nper = np.array([1]); md = np.zeros(1, dtype=np.int64)
    >>> flags = np.zeros(1, dtype=np.int64)
    >>> working_time(wd, ob, per, nper, od, hpd, md, flags, 0, 13.0), next_open(wd, ob, per, nper, od, hpd, md, flags, 0, 5.0)
    (4.0, 9.0)
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .fast_layout import (  # noqa: F401 (the kernel's constants, one list)
    K_START, K_END, K_TASK, K_TIMER, K_PARALLEL, K_EXCLUSIVE, K_PASS, N_KIND,
    N_INCOMING, N_AGENCY, N_COL_WORK, N_COL_WAIT, N_WAIT_UNIT, N_ROUTE, N_PROC, N_ONLINE,
    N_DOCS, N_JOIN, N_S0, N_S1, N_SAME_CLOCK, N_COLUMNS, UNIT_HOUR, UNIT_WORKDAY, UNIT_DAY,
    S_NODE, S_GRANTED, S_WORKED_AGENCY, S_WORKED, S_WAITED, URGENT, NORMAL, ST_DONE,
    ST_NEED_CASES, ST_FLUSH, ST_CALENDAR, ST_ROUTE, ST_REVISIT, ST_GROW, ST_CALENDAR_SOON, I_EID,
    I_HEAP, I_FREE, I_NEXT, I_LOADED, I_ALL_LOADED, I_BASE, I_WOKEN, I_PENDING,
    I_OUT_CASES, I_OUT_STEPS, I_ERR_CASE, I_ERR_NODE, I_PATHS, I_WARMUP, I_FLOWS, I_CAL_LIMIT, I_UHEAD, I_ULEN,
    SCALARS, F_NOW, F_FIRST, F_LAST_END, F_WARMUP_UNTIL, C_LIVE, C_REACHED_END, C_DOCS,
    C_NPROC, C_PLEN, C_DONE, C_T, C_ARRIVAL, C_FEE, C_W_ARRIVAL, CASE_FLOATS, OUT_CASE_COLUMNS,
    T_W_ENABLE, T_ENABLE, T_START, T_EFFORT, T_WORKED, T_GRANTED, T_QUEUED, T_W_GRANTED, T_W_START, T_W_WORKED,
    TOKEN_FLOATS,
)

# The kernel allocates nothing: every array it touches belongs to its caller (sim.engine.fast) for the
# whole call. So it is compiled without numba's reference counting (``_nrt=False``, numba's switch for
# code that needs no runtime): with it, every helper below took and dropped a reference to each array it
# was given, atomically, at each use — measured, 60% of the event loop's time. Allocating in here then
# fails to compile (it needs the runtime), rather than leaking. The helpers are inlined into the loop.
_kernel = njit(cache=True, error_model="numpy", _nrt=False)
_helper = njit(cache=True, error_model="numpy", _nrt=False, inline="always")



# -- calendar (WorkClock) ------------------------------------------------------------------------
@_helper
def floordiv24(t: float) -> float:
    """``t // 24`` as CPython computes it: the exact floor of the quotient (its fmod is exact)."""
    q = math.floor(t / 24.0)
    if 24.0 * q > t:  # t / 24 rounded up to the next whole number
        q -= 1.0
    elif 24.0 * (q + 1.0) <= t:
        q += 1.0
    return q


@_helper
def _day(wd, md, flags, c, k):
    if k >= wd.shape[0] or k < 0:
        flags[0] = 1  # past the table: the caller rebuilds it with another year and starts again
        return False
    if k > md[c]:
        md[c] = k
    return True


@_helper
def working_time(wd, ob, per, nper, od, hpd, md, flags, c, t):
    """WorkClock.working_time of clock ``c``."""
    k = int(floordiv24(t))
    if not _day(wd, md, flags, c, k):
        return 0.0
    base = ob[c, k]
    # the last period that began before t, found by counting (the periods are in order) rather than by a
    # loop that breaks: which period an instant falls in is a coin toss to the branch predictor
    h = t - 24 * k
    begun = 0
    for p in range(nper[c]):
        begun += h > per[c, p, 0]
    p = begun - 1 if begun > 0 else 0
    a = per[c, p, 0]
    b = per[c, p, 1]
    w = base + per[c, p, 2] + ((b if h > b else h) - a)
    return w if begun > 0 and wd[k] else base


@_helper
def at_working_time(wd, ob, per, nper, od, hpd, md, flags, c, w):
    """WorkClock.at_working_time of clock ``c``."""
    n = wd.shape[0]
    if ob[c, n] < w:
        flags[0] = 1
        return 0.0
    # bisect_left(ob[c, :n + 1], w) without a search: open day j holds working time (j h, (j + 1) h],
    # so the answer is next to the day after it (rounding in the sums moves it by a day at most)
    j = int(w / hpd[c])
    i = n if j >= od.shape[0] else min(od[j] + 1, n)
    while i > 0 and ob[c, i - 1] >= w:
        i -= 1
    while ob[c, i] < w:
        i += 1
    k = max(i - 1, 0)
    while not wd[k] or ob[c, k + 1] < w:
        k += 1
        if k >= n:
            flags[0] = 1
            return 0.0
    _day(wd, md, flags, c, k)
    rest = w - ob[c, k]
    n_per = nper[c]
    full = 0  # periods whose open hours ``rest`` fills (column 3: open hours before the period's end)
    for p in range(n_per):
        full += rest > per[c, p, 3]
    if full < n_per:
        return 24 * k + per[c, full, 0] + (rest - per[c, full, 2])
    return 24 * k + per[c, n_per - 1, 1]


@_helper
def next_open(wd, ob, per, nper, od, hpd, md, flags, c, t):
    """WorkClock.next_open of clock ``c``."""
    k = int(floordiv24(t))
    if not _day(wd, md, flags, c, k):
        return t
    h = t - 24 * k
    n_per = nper[c]
    while True:
        if wd[k]:
            ended = 0  # periods over by h (counted, as in working_time)
            for p in range(n_per):
                ended += h >= per[c, p, 1]
            if ended < n_per:
                a = per[c, ended, 0]
                return 24 * k + (h if h > a else a)
        k += 1
        h = 0.0
        if not _day(wd, md, flags, c, k):
            return t


@_helper
def work_end(wd, ob, per, nper, od, hpd, md, flags, c, t, hours):
    if hours <= 0:
        return t
    return at_working_time(wd, ob, per, nper, od, hpd, md, flags, c, working_time(wd, ob, per, nper, od, hpd, md, flags, c, t) + hours)


@_kernel
def arrival_instants(wd, ob, per, nper, od, hpd, md, flags, ws, out):
    """at_working_time of the main clock for each working time in ``ws`` (arrivals)."""
    for i in range(ws.shape[0]):
        out[i] = at_working_time(wd, ob, per, nper, od, hpd, md, flags, 0, ws[i])
        if flags[0]:
            return


@_kernel
def log1p_into(x, out):
    """``out[i] = math.log1p(x[i])``: libm's log1p, the C function CPython's math.log1p calls (so bit for bit
    :func:`math.log1p`, unlike ``np.log1p``); registered with :mod:`sim.model.distributions` for array draws."""
    for i in range(x.shape[0]):
        out[i] = math.log1p(x[i])


# -- the Doing-Business clock (sim.model.clocks.db_days) -------------------------------------------
@njit(cache=True, error_model="numpy")  # allocates its scratch: reference counted, unlike the kernel
def db_days(arrival, end, proc, n):
    """db_days over ``proc[:n]`` = (start, stop, online) rows."""
    return _db_days(arrival, end, proc, n, np.empty(max(n, 1), dtype=np.int64), np.empty((max(n, 1), 2)))


@_kernel
def _db_days(arrival, end, proc, n, order, times):
    """db_days with the caller's scratch arrays (``order``: n ints, ``times``: n x 2), so a case allocates nothing."""
    if n == 0:
        return (end - arrival) / 24
    for i in range(n):  # insertion sort by (start, stop, online), as sorted() orders the tuples
        j = i
        while j > 0:
            q = order[j - 1]
            if proc[q, 0] < proc[i, 0] or (proc[q, 0] == proc[i, 0] and (proc[q, 1] < proc[i, 1] or (
                    proc[q, 1] == proc[i, 1] and proc[q, 2] <= proc[i, 2]))):
                break
            order[j] = q
            j -= 1
        order[j] = i
    prev_start = 0.0
    has_prev = False
    prev_online = True
    latest = end
    for m in range(n):
        i = order[m]
        start = proc[i, 0]
        stop = proc[i, 1]
        online = proc[i, 2] != 0.0
        s = start
        for q in range(m):
            if times[q, 0] <= start and times[q, 1] > s:
                s = times[q, 1]
        delay = s - start
        if has_prev and not online and not prev_online and int(floordiv24(s)) <= int(floordiv24(prev_start)):
            s = prev_start + 24.0
        e = s + max(stop - start, 12.0 if online else 24.0)
        times[m, 0] = stop
        times[m, 1] = e
        prev_start, prev_online, has_prev = s, online, True
        latest = max(latest, e)
        latest = max(latest, end + delay)
    return (latest - arrival) / 24


# -- SimPy's event queue ----------------------------------------------------------------------------
# SimPy pops events by (time, priority, event id). Process starts are URGENT and only ever scheduled
# at the current instant, when every other pending event is at that instant or later, so they come
# out first and in the order they were made: they go to a ring (UQ), not the heap. The heap then holds
# NORMAL events only (timeouts, staff turns), ordered by (time, event id); ids are unique, so the
# order of the pops is the same whatever the heap's inner layout.
@_helper
def schedule(ht, hi, si, t, tok):
    """Push a NORMAL event (a token to resume, or -1: the arrival source) at time ``t``."""
    n = si[I_HEAP]
    eid = si[I_EID]
    si[I_EID] = eid + 1
    si[I_HEAP] = n + 1
    while n > 0:  # sift up: move parents down into the hole until the new event's place is found
        parent = (n - 1) >> 1
        pt = ht[parent]
        if pt < t or (pt == t and hi[parent, 0] < eid):
            break
        ht[n] = pt
        hi[n, 0] = hi[parent, 0]
        hi[n, 1] = hi[parent, 1]
        n = parent
    ht[n] = t
    hi[n, 0] = eid
    hi[n, 1] = tok


@_helper
def schedule_urgent(uq, si, tok):
    """A process start now (URGENT): to the back of the ring; it takes an event id as SimPy's does."""
    size = uq.shape[0]
    i = si[I_UHEAD] + si[I_ULEN]
    if i >= size:
        i -= size
    uq[i] = tok
    si[I_ULEN] += 1
    si[I_EID] += 1


@_helper
def _pop(ht, hi, si):
    n = si[I_HEAP] - 1
    t = ht[0]
    tok = hi[0, 1]
    si[I_HEAP] = n
    lt = ht[n]  # the last event fills the hole at the root, sifted down
    le = hi[n, 0]
    ltok = hi[n, 1]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        small = left
        right = left + 1
        if right < n and (ht[right] < ht[left] or (ht[right] == ht[left] and hi[right, 0] < hi[left, 0])):
            small = right
        st = ht[small]
        if lt < st or (lt == st and le < hi[small, 0]):
            break
        ht[i] = st
        hi[i, 0] = hi[small, 0]
        hi[i, 1] = hi[small, 1]
        i = small
    ht[i] = lt
    hi[i, 0] = le
    hi[i, 1] = ltok
    return t, tok


# -- tokens, cases, steps -----------------------------------------------------------------------------
@_helper
def _new_token(ti, tf, free, si, case_id, node):
    si[I_FREE] -= 1
    tok = free[si[I_FREE]]
    ti[tok, 0] = case_id
    ti[tok, 1] = node
    ti[tok, 2] = S_NODE
    tf[tok, T_W_ENABLE] = np.nan  # the statutory clock's working time: unknown until a step ends (None)
    return tok


@_helper
def _spawn(ni, succ, ti, tf, free, uq, si, ci, c, tok, node):
    """Tokens for the node's flows after the first (env.process: a start event, URGENT, now); each starts
    with the statutory clock's reading of its parent, taken at this instant."""
    for s in range(ni[node, N_S0] + 1, ni[node, N_S1]):
        ci[c, C_LIVE] += 1
        new = _new_token(ti, tf, free, si, ti[tok, 0], succ[s])
        tf[new, T_W_ENABLE] = tf[tok, T_W_ENABLE]
        schedule_urgent(uq, si, new)


@_kernel
def _path_id(pcont, ptab, phash, si, path, n):
    """Id of the path ``path[:n]`` (the order paths first finished), or -1 past the table (other)."""
    h = np.uint64(14695981039346656037)
    for i in range(n):
        h = (h ^ np.uint64(path[i] + 1)) * np.uint64(1099511628211)
    mask = ptab.shape[0] - 1  # a power of two
    slot = np.int64(h & np.uint64(mask))
    while True:
        pid = ptab[slot]
        if pid < 0:
            break
        if phash[pid] == h and pcont[pid, 0] == n:
            same = True
            for i in range(n):
                if pcont[pid, i + 1] != path[i]:
                    same = False
                    break
            if same:
                return pid
        slot = (slot + 1) & mask
    pid = si[I_PATHS]
    if pid >= pcont.shape[0]:
        return -1
    si[I_PATHS] = pid + 1
    ptab[slot] = pid
    phash[pid] = h
    pcont[pid, 0] = n
    for i in range(n):
        pcont[pid, i + 1] = path[i]
    return pid


@_kernel
def _finish_case(hpd, si, sf, ci, cf, cp, cpath, ptab, pcont, phash, oc, order, times, c, w_now):
    """Replication.finish_case; ``w_now`` is the statutory clock's working time now."""
    now = sf[F_NOW]
    ci[c, C_DONE] = 1
    arrival = cf[c, C_ARRIVAL]
    if arrival < sf[F_WARMUP_UNTIL]:
        si[I_WARMUP] += 1
        return
    if now > sf[F_LAST_END]:
        sf[F_LAST_END] = now
    elapsed = now - arrival
    k = si[I_OUT_CASES]
    si[I_OUT_CASES] = k + 1
    oc[k, 0] = (w_now - cf[c, C_W_ARRIVAL]) / hpd[0]
    oc[k, 1] = elapsed / 24
    oc[k, 2] = elapsed
    oc[k, 3] = _db_days(arrival, now, cp[c], ci[c, C_NPROC], order, times)
    oc[k, 4] = float(ci[c, C_NPROC])
    oc[k, 5] = float(ci[c, C_DOCS])
    oc[k, 6] = cf[c, C_FEE]
    oc[k, 7] = float(_path_id(pcont, ptab, phash, si, cpath[c], ci[c, C_PLEN]))


@_kernel
def _source(wd, ob, per, nper, od, hpd, md, flags, ti, tf, free, ht, hi, uq, si, sf, ci, cf, start_node):
    """The arrival source (``source()`` of run_compiled): create cases until the next one is later."""
    while True:
        nxt = si[I_NEXT]
        if nxt >= si[I_LOADED]:
            if si[I_ALL_LOADED]:
                si[I_PENDING] = 0
                return ST_DONE
            return ST_NEED_CASES
        c = nxt - si[I_BASE]
        now = sf[F_NOW]
        t = cf[c, C_T]
        if not si[I_WOKEN] and t > now:
            schedule(ht, hi, si, now + (t - now), -1)
            si[I_WOKEN] = 1
            si[I_PENDING] = 0
            return ST_DONE
        si[I_WOKEN] = 0
        cf[c, C_ARRIVAL] = now
        # the statutory clock at arrival: the case's first step reads it (at this instant), its end (the
        # workdays) subtracts it
        w = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
        cf[c, C_W_ARRIVAL] = w
        if now < sf[F_FIRST]:
            sf[F_FIRST] = now
        ci[c, C_LIVE] = 1
        tok = _new_token(ti, tf, free, si, nxt, start_node)
        tf[tok, T_W_ENABLE] = w
        schedule_urgent(uq, si, tok)
        si[I_NEXT] = nxt + 1


@_kernel
def run_events(ni, nf, succ, start_node, wd, ob, per, nper, od, hpd, md, flags, ht, hi, uq, ti, tf, free, pi, q, ai, af, sv,
               st, ci, cf, cj, cp, cpath, cseen, dur, route, ptab, pcont, phash, oc, osi, osf, osd, osn, order, times, si, sf):
    """Process events until the run is done or the caller must act (see the ST_* codes)."""
    n_nodes = ni.shape[0]
    room = si[I_FLOWS] + 2  # the most events and tokens one event can create
    usize = uq.shape[0]
    while True:
        if si[I_PENDING]:
            status = _source(wd, ob, per, nper, od, hpd, md, flags, ti, tf, free, ht, hi, uq, si, sf, ci, cf, start_node)
            if status != ST_DONE:
                return status
            if flags[0]:
                return ST_CALENDAR
        if ht.shape[0] - si[I_HEAP] < room or si[I_FREE] < room or usize - si[I_ULEN] < room:
            return ST_GROW
        if oc.shape[0] - si[I_OUT_CASES] < 1 or osi.shape[0] - si[I_OUT_STEPS] < n_nodes:
            return ST_FLUSH
        if si[I_ULEN] > 0:  # a process start now: before every heap event (see schedule_urgent)
            head = si[I_UHEAD]
            tok = uq[head]
            head += 1
            si[I_UHEAD] = 0 if head == usize else head
            si[I_ULEN] -= 1
        else:
            if si[I_HEAP] == 0:
                return ST_DONE
            if int(floordiv24(ht[0])) >= si[I_CAL_LIMIT]:
                return ST_CALENDAR_SOON  # before the event: the caller adds a year to the tables, nothing is lost
            t, tok = _pop(ht, hi, si)
            sf[F_NOW] = t
        if tok < 0:
            si[I_PENDING] = 1
            continue
        phase = ti[tok, 2]
        status = ST_DONE
        dead = False
        c = ti[tok, 0] - si[I_BASE]
        now = sf[F_NOW]
        while True:
            node = ti[tok, 1]
            if phase == S_NODE:
                kind = ni[node, N_KIND]
                if kind == K_TASK or kind == K_TIMER:
                    if cseen[c, node]:
                        si[I_ERR_CASE] = ti[tok, 0]
                        si[I_ERR_NODE] = node
                        status = ST_REVISIT
                        break
                    cseen[c, node] = 1
                    if math.isnan(tf[tok, T_W_ENABLE]):  # the statutory clock at enable, unless known already
                        tf[tok, T_W_ENABLE] = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
                    tf[tok, T_ENABLE] = now
                    tf[tok, T_START] = now  # unless staff and opening hours move it
                    tf[tok, T_EFFORT] = 0.0
                    tf[tok, T_GRANTED] = now  # the staff turn
                    tf[tok, T_QUEUED] = 0.0  # the agency's open hours in line
                    tf[tok, T_W_GRANTED] = tf[tok, T_W_ENABLE]
                    tf[tok, T_W_START] = np.nan
                    tf[tok, T_W_WORKED] = np.nan
                    col = ni[node, N_COL_WORK]
                    if col >= 0:
                        hours = dur[c, col]
                        tf[tok, T_EFFORT] = hours
                        ag = ni[node, N_AGENCY]
                        if ag >= 0:
                            ai[ag, 0] += 1
                            if pi[ag, 0] < pi[ag, 1] and pi[ag, 3] == 0:
                                pi[ag, 0] += 1
                                phase = S_GRANTED
                                continue
                            size = q.shape[1]
                            qi = pi[ag, 2] + pi[ag, 3]
                            q[ag, qi - size if qi >= size else qi] = tok
                            pi[ag, 3] += 1
                            if pi[ag, 3] > ai[ag, 1]:
                                ai[ag, 1] = pi[ag, 3]
                            ti[tok, 2] = S_GRANTED
                            break  # the token waits for an event
                        schedule(ht, hi, si, now + hours, tok)
                        ti[tok, 2] = S_WORKED
                        break  # the token waits for an event
                    phase = S_WORKED
                    continue
                if kind == K_END:
                    ci[c, C_REACHED_END] = 1
                    dead = True
                    break
                n_succ = ni[node, N_S1] - ni[node, N_S0]
                if kind == K_PARALLEL:
                    if ni[node, N_INCOMING] > 1:
                        j = ni[node, N_JOIN]
                        arrived = cj[c, j] + 1
                        if arrived < ni[node, N_INCOMING]:
                            cj[c, j] = arrived
                            dead = True
                            break
                        cj[c, j] = 0
                    if n_succ > 1:
                        _spawn(ni, succ, ti, tf, free, uq, si, ci, c, tok, node)
                        ti[tok, 1] = succ[ni[node, N_S0]]
                        continue
                elif kind == K_EXCLUSIVE and n_succ > 1:
                    r = route[c, ni[node, N_ROUTE]]
                    if r < 0:
                        si[I_ERR_CASE] = ti[tok, 0]
                        si[I_ERR_NODE] = node
                        status = ST_ROUTE
                        break
                    ti[tok, 1] = succ[ni[node, N_S0] + r]
                    continue
                # start, pass, merge, and a step that is done: follow the flow(s)
                if n_succ == 0:
                    dead = True
                    break
                _spawn(ni, succ, ti, tf, free, uq, si, ci, c, tok, node)
                ti[tok, 1] = succ[ni[node, N_S0]]
                continue
            if phase == S_GRANTED:
                ag = ni[node, N_AGENCY]
                same = ni[node, N_SAME_CLOCK] != 0  # the agency's clock is the statutory one: its readings are too
                tf[tok, T_GRANTED] = now
                if now != tf[tok, T_ENABLE]:  # queued: the office's open hours spent in line (nights in line are the office closed)
                    w_granted = working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, now)
                    if same:
                        tf[tok, T_W_GRANTED] = w_granted
                        queued = w_granted - tf[tok, T_W_ENABLE]
                    else:
                        tf[tok, T_W_GRANTED] = np.nan
                        queued = w_granted - working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, tf[tok, T_ENABLE])
                    af[ag, 0] += queued
                    tf[tok, T_QUEUED] = queued
                start = next_open(wd, ob, per, nper, od, hpd, md, flags, ag + 1, now)
                tf[tok, T_START] = start
                hours = tf[tok, T_EFFORT]
                if hours > 0:  # work_end, keeping the reading at the start
                    w_start = working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, start)
                    if same:
                        tf[tok, T_W_START] = w_start
                    end = at_working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, w_start + hours)
                else:
                    end = start
                schedule(ht, hi, si, now + (end - now), tok)
                ti[tok, 2] = S_WORKED_AGENCY
                break  # the token waits for an event
            if phase == S_WORKED_AGENCY:
                ag = ni[node, N_AGENCY]
                if pi[ag, 3] > 0:  # the slot passes to the next in line (turn.succeed(): NORMAL, now)
                    size = q.shape[1]
                    head = pi[ag, 2]
                    nxt = q[ag, head]
                    head += 1
                    pi[ag, 2] = 0 if head == size else head
                    pi[ag, 3] -= 1
                    schedule(ht, hi, si, now, nxt)
                else:
                    pi[ag, 0] -= 1
                af[ag, 1] += tf[tok, T_EFFORT]
                phase = S_WORKED
            if phase == S_WORKED:
                tf[tok, T_WORKED] = now
                col = ni[node, N_COL_WAIT]
                if col >= 0:
                    amount = dur[c, col]
                    unit = ni[node, N_WAIT_UNIT]
                    if unit == UNIT_WORKDAY:
                        hours = amount * hpd[0]
                        if hours > 0:  # work_end on the statutory clock, keeping the reading now
                            w_worked = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
                            tf[tok, T_W_WORKED] = w_worked
                            target = at_working_time(wd, ob, per, nper, od, hpd, md, flags, 0, w_worked + hours)
                        else:
                            target = now
                    elif unit == UNIT_DAY:
                        target = now + 24.0 * amount
                    else:
                        target = now + amount
                    if target > now:
                        schedule(ht, hi, si, now + (target - now), tok)
                        ti[tok, 2] = S_WAITED
                        break  # the token waits for an event
                phase = S_WAITED
            if phase == S_WAITED:
                end = now
                enable, start, worked, granted = tf[tok, T_ENABLE], tf[tok, T_START], tf[tok, T_WORKED], tf[tok, T_GRANTED]
                # the boundaries on the statutory clock; equal instants reuse the reading (as perform_step), and
                # so do readings the step took already
                w_enable = tf[tok, T_W_ENABLE]
                if granted == enable:
                    w_granted = w_enable
                else:
                    w_granted = tf[tok, T_W_GRANTED]
                    if math.isnan(w_granted):
                        w_granted = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, granted)
                if start == granted:
                    w_start = w_granted
                else:
                    w_start = tf[tok, T_W_START]
                    if math.isnan(w_start):
                        w_start = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, start)
                if worked == start:
                    w_worked = w_start
                else:
                    w_worked = tf[tok, T_W_WORKED]
                    if math.isnan(w_worked):
                        w_worked = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, worked)
                w_end = w_worked if end == worked else working_time(wd, ob, per, nper, od, hpd, md, flags, 0, end)
                sv[node] += 1
                st[node, 0] += start - enable
                st[node, 1] += worked - start
                st[node, 2] += end - enable
                st[node, 3] += tf[tok, T_QUEUED]
                st[node, 4] += tf[tok, T_EFFORT]
                st[node, 5] += w_granted - w_enable
                st[node, 6] += w_start - w_granted
                st[node, 7] += w_worked - w_start
                k = si[I_OUT_STEPS]
                si[I_OUT_STEPS] = k + 1
                osi[k, 0] = node
                osi[k, 1] = ti[tok, 0]
                days = (w_end - w_enable) / hpd[0]
                osf[k, 0] = days
                osd[node, osn[node]] = days  # per step too, so the driver folds each step's days without a search
                osn[node] += 1
                osf[k, 1] = enable
                osf[k, 2] = start
                osf[k, 3] = end
                cpath[c, ci[c, C_PLEN]] = node
                ci[c, C_PLEN] += 1
                if ni[node, N_KIND] == K_TASK:
                    ci[c, C_DOCS] += ni[node, N_DOCS]
                    cf[c, C_FEE] += nf[node]
                    if ni[node, N_PROC]:
                        p = ci[c, C_NPROC]
                        cp[c, p, 0] = start
                        cp[c, p, 1] = end
                        cp[c, p, 2] = float(ni[node, N_ONLINE])
                        ci[c, C_NPROC] = p + 1
                tf[tok, T_W_ENABLE] = w_end
                n_succ = ni[node, N_S1] - ni[node, N_S0]
                if n_succ == 0:
                    dead = True
                    break
                _spawn(ni, succ, ti, tf, free, uq, si, ci, c, tok, node)
                ti[tok, 1] = succ[ni[node, N_S0]]
                phase = S_NODE
                continue
        if status != ST_DONE:
            return status
        if dead:  # the token ends (at an end event, a join that waits for others, or a dead end)
            c = ti[tok, 0] - si[I_BASE]
            free[si[I_FREE]] = tok
            si[I_FREE] += 1
            ci[c, C_LIVE] -= 1
            if ci[c, C_LIVE] == 0 and ci[c, C_REACHED_END]:
                w_now = tf[tok, T_W_ENABLE]  # the token's last reading, taken now
                if math.isnan(w_now):
                    w_now = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
                _finish_case(hpd, si, sf, ci, cf, cp, cpath, ptab, pcont, phash, oc, order, times, c, w_now)
        if flags[0]:
            return ST_CALENDAR
