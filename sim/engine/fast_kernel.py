"""The ``fast`` executor's event loop, compiled by numba: SimPy's semantics over flat arrays.

Everything here mirrors a Python original line for line, so that a case's record is the same
float for float: the working-time arithmetic of :class:`sim.model.calendar.WorkClock`
(``working_time``, ``at_working_time``, ``next_open``), the token walk of
:func:`sim.engine.compiled.run_compiled`, :meth:`sim.engine.core.Replication.perform_step` and
``finish_case``, :func:`sim.model.clocks.db_days`, and SimPy's event order — a heap keyed by
(time, priority, event id), with process starts URGENT and timeouts/turns NORMAL, each event id
taken when the event is scheduled, as ``simpy.Environment.schedule`` does. Change one of the
originals and ``tests/test_fast.py`` fails until this file follows.

State lives in arrays the caller owns (:mod:`sim.engine.fast`), so :func:`run_events` can stop
(for more arrivals, to empty its output buffers, to grow) and resume where it stopped.

Example (the calendar helpers on a one-clock table: 2 days, open 09:00-17:00 on the first only):
    >>> import numpy as np
    >>> wd = np.array([1, 0], dtype=np.uint8); ob = np.array([[0.0, 8.0, 8.0]]); od = np.array([0]); hpd = np.array([8.0])
    >>> per = np.array([[[9.0, 17.0, 0.0]]]); nper = np.array([1]); md = np.zeros(1, dtype=np.int64)
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
    N_DOCS, N_JOIN, N_S0, N_S1, N_COLUMNS, UNIT_HOUR, UNIT_WORKDAY, UNIT_DAY,
    S_NODE, S_GRANTED, S_WORKED_AGENCY, S_WORKED, S_WAITED, URGENT, NORMAL, ST_DONE,
    ST_NEED_CASES, ST_FLUSH, ST_CALENDAR, ST_ROUTE, ST_REVISIT, ST_GROW, ST_CALENDAR_SOON, I_EID,
    I_HEAP, I_FREE, I_NEXT, I_LOADED, I_ALL_LOADED, I_BASE, I_WOKEN, I_PENDING,
    I_OUT_CASES, I_OUT_STEPS, I_ERR_CASE, I_ERR_NODE, I_PATHS, I_WARMUP, I_FLOWS, I_CAL_LIMIT,
    SCALARS, F_NOW, F_FIRST, F_LAST_END, F_WARMUP_UNTIL, C_LIVE, C_REACHED_END, C_DOCS,
    C_NPROC, C_PLEN, C_DONE, C_T, C_ARRIVAL, C_FEE, OUT_CASE_COLUMNS,
)



# -- calendar (WorkClock) ------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def floordiv24(t: float) -> float:
    """``t // 24`` as CPython computes it: the exact floor of the quotient (its fmod is exact)."""
    q = math.floor(t / 24.0)
    if 24.0 * q > t:  # t / 24 rounded up to the next whole number
        q -= 1.0
    elif 24.0 * (q + 1.0) <= t:
        q += 1.0
    return q


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _day(wd, md, flags, c, k):
    if k >= wd.shape[0] or k < 0:
        flags[0] = 1  # past the table: the caller rebuilds it with another year and starts again
        return False
    if k > md[c]:
        md[c] = k
    return True


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def working_time(wd, ob, per, nper, od, hpd, md, flags, c, t):
    """WorkClock.working_time of clock ``c``."""
    k = int(floordiv24(t))
    if not _day(wd, md, flags, c, k):
        return 0.0
    base = ob[c, k]
    w = base
    if wd[k]:
        h = t - 24 * k
        for p in range(nper[c]):
            a = per[c, p, 0]
            b = per[c, p, 1]
            if h <= a:
                break
            w = base + per[c, p, 2] + ((b if h > b else h) - a)
    return w


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
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
    last = nper[c] - 1
    for p in range(nper[c]):
        a = per[c, p, 0]
        b = per[c, p, 1]
        before = per[c, p, 2]
        if rest <= before + (b - a):
            return 24 * k + a + (rest - before)
    return 24 * k + per[c, last, 1]


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def next_open(wd, ob, per, nper, od, hpd, md, flags, c, t):
    """WorkClock.next_open of clock ``c``."""
    k = int(floordiv24(t))
    if not _day(wd, md, flags, c, k):
        return t
    h = t - 24 * k
    while True:
        if wd[k]:
            for p in range(nper[c]):
                if h < per[c, p, 1]:
                    a = per[c, p, 0]
                    return 24 * k + (h if h > a else a)
        k += 1
        h = 0.0
        if not _day(wd, md, flags, c, k):
            return t


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def work_end(wd, ob, per, nper, od, hpd, md, flags, c, t, hours):
    if hours <= 0:
        return t
    return at_working_time(wd, ob, per, nper, od, hpd, md, flags, c, working_time(wd, ob, per, nper, od, hpd, md, flags, c, t) + hours)


@njit(cache=True, error_model="numpy")
def arrival_instants(wd, ob, per, nper, od, hpd, md, flags, ws, out):
    """at_working_time of the main clock for each working time in ``ws`` (arrivals)."""
    for i in range(ws.shape[0]):
        out[i] = at_working_time(wd, ob, per, nper, od, hpd, md, flags, 0, ws[i])
        if flags[0]:
            return


# -- the Doing-Business clock (sim.model.clocks.db_days) -------------------------------------------
@njit(cache=True, error_model="numpy")
def db_days(arrival, end, proc, n):
    """db_days over ``proc[:n]`` = (start, stop, online) rows."""
    if n == 0:
        return (end - arrival) / 24
    order = np.empty(n, dtype=np.int64)
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
    actual = np.empty(n)
    shifted = np.empty(n)
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
            if actual[q] <= start and shifted[q] > s:
                s = shifted[q]
        delay = s - start
        if has_prev and not online and not prev_online and int(floordiv24(s)) <= int(floordiv24(prev_start)):
            s = prev_start + 24.0
        e = s + max(stop - start, 12.0 if online else 24.0)
        actual[m] = stop
        shifted[m] = e
        prev_start, prev_online, has_prev = s, online, True
        latest = max(latest, e)
        latest = max(latest, end + delay)
    return (latest - arrival) / 24


# -- SimPy's event queue ----------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _before(ht, hi, i, j):
    if ht[i] != ht[j]:
        return ht[i] < ht[j]
    if hi[i, 0] != hi[j, 0]:
        return hi[i, 0] < hi[j, 0]
    return hi[i, 1] < hi[j, 1]


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _swap(ht, hi, i, j):
    ht[i], ht[j] = ht[j], ht[i]
    for x in range(3):
        hi[i, x], hi[j, x] = hi[j, x], hi[i, x]


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def schedule(ht, hi, si, t, prio, tok):
    """Push an event (a token to resume, or -1: the arrival source) at time ``t``."""
    n = si[I_HEAP]
    ht[n] = t
    hi[n, 0] = prio
    hi[n, 1] = si[I_EID]
    hi[n, 2] = tok
    si[I_EID] += 1
    si[I_HEAP] = n + 1
    while n > 0:
        parent = (n - 1) // 2
        if not _before(ht, hi, n, parent):
            break
        _swap(ht, hi, n, parent)
        n = parent


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _pop(ht, hi, si):
    n = si[I_HEAP] - 1
    t = ht[0]
    tok = hi[0, 2]
    _swap(ht, hi, 0, n)
    si[I_HEAP] = n
    i = 0
    while True:
        left = 2 * i + 1
        if left >= n:
            break
        small = left
        if left + 1 < n and _before(ht, hi, left + 1, left):
            small = left + 1
        if not _before(ht, hi, small, i):
            break
        _swap(ht, hi, i, small)
        i = small
    return t, tok


# -- tokens, cases, steps -----------------------------------------------------------------------------
@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _new_token(ti, tf, free, si, case_id, node):
    si[I_FREE] -= 1
    tok = free[si[I_FREE]]
    ti[tok, 0] = case_id
    ti[tok, 1] = node
    ti[tok, 2] = S_NODE
    tf[tok, 0] = np.nan  # the statutory clock's working time: unknown until a step ends (None)
    return tok


@njit(cache=True, error_model="numpy", inline="always")  # inlined: a call would count references to every array
def _spawn(ni, succ, ti, tf, free, ht, hi, si, sf, ci, c, tok, node):
    """Tokens for the node's flows after the first (env.process: a start event, URGENT, now)."""
    for s in range(ni[node, N_S0] + 1, ni[node, N_S1]):
        ci[c, C_LIVE] += 1
        new = _new_token(ti, tf, free, si, ti[tok, 0], succ[s])
        schedule(ht, hi, si, sf[F_NOW], URGENT, new)


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def _finish_case(wd, ob, per, nper, od, hpd, md, flags, si, sf, ci, cf, cp, cpath, ptab, pcont, phash, oc, c):
    """Replication.finish_case."""
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
    w1 = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
    w0 = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, arrival)
    oc[k, 0] = (w1 - w0) / hpd[0]
    oc[k, 1] = elapsed / 24
    oc[k, 2] = elapsed
    oc[k, 3] = db_days(arrival, now, cp[c], ci[c, C_NPROC])
    oc[k, 4] = float(ci[c, C_NPROC])
    oc[k, 5] = float(ci[c, C_DOCS])
    oc[k, 6] = cf[c, C_FEE]
    oc[k, 7] = float(_path_id(pcont, ptab, phash, si, cpath[c], ci[c, C_PLEN]))


@njit(cache=True, error_model="numpy")
def _source(ti, tf, free, ht, hi, si, sf, ci, cf, start_node):
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
            schedule(ht, hi, si, now + (t - now), NORMAL, -1)
            si[I_WOKEN] = 1
            si[I_PENDING] = 0
            return ST_DONE
        si[I_WOKEN] = 0
        cf[c, C_ARRIVAL] = now
        if now < sf[F_FIRST]:
            sf[F_FIRST] = now
        ci[c, C_LIVE] = 1
        tok = _new_token(ti, tf, free, si, nxt, start_node)
        schedule(ht, hi, si, now, URGENT, tok)
        si[I_NEXT] = nxt + 1


@njit(cache=True, error_model="numpy")
def run_events(ni, nf, succ, start_node, wd, ob, per, nper, od, hpd, md, flags, ht, hi, ti, tf, free, pi, q, ai, af, sv, st,
               ci, cf, cj, cp, cpath, cseen, dur, route, ptab, pcont, phash, oc, osi, osf, si, sf):
    """Process events until the run is done or the caller must act (see the ST_* codes)."""
    n_nodes = ni.shape[0]
    room = si[I_FLOWS] + 2  # the most events and tokens one event can create
    while True:
        if si[I_PENDING]:
            status = _source(ti, tf, free, ht, hi, si, sf, ci, cf, start_node)
            if status != ST_DONE:
                return status
        if ht.shape[0] - si[I_HEAP] < room or si[I_FREE] < room:
            return ST_GROW
        if oc.shape[0] - si[I_OUT_CASES] < 1 or osi.shape[0] - si[I_OUT_STEPS] < n_nodes:
            return ST_FLUSH
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
                    if math.isnan(tf[tok, 0]):  # the statutory clock at enable, unless the last step told us
                        tf[tok, 0] = working_time(wd, ob, per, nper, od, hpd, md, flags, 0, now)
                    tf[tok, 1] = now  # enable
                    tf[tok, 2] = now  # start, unless staff and opening hours move it
                    tf[tok, 3] = 0.0  # staff effort
                    tf[tok, 5] = now  # granted: the staff turn
                    tf[tok, 6] = 0.0  # queued: the agency's open hours in line
                    col = ni[node, N_COL_WORK]
                    if col >= 0:
                        hours = dur[c, col]
                        tf[tok, 3] = hours
                        ag = ni[node, N_AGENCY]
                        if ag >= 0:
                            ai[ag, 0] += 1
                            if pi[ag, 0] < pi[ag, 1] and pi[ag, 3] == 0:
                                pi[ag, 0] += 1
                                phase = S_GRANTED
                                continue
                            size = q.shape[1]
                            q[ag, (pi[ag, 2] + pi[ag, 3]) % size] = tok
                            pi[ag, 3] += 1
                            if pi[ag, 3] > ai[ag, 1]:
                                ai[ag, 1] = pi[ag, 3]
                            ti[tok, 2] = S_GRANTED
                            break  # the token waits for an event
                        schedule(ht, hi, si, now + hours, NORMAL, tok)
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
                        _spawn(ni, succ, ti, tf, free, ht, hi, si, sf, ci, c, tok, node)
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
                _spawn(ni, succ, ti, tf, free, ht, hi, si, sf, ci, c, tok, node)
                ti[tok, 1] = succ[ni[node, N_S0]]
                continue
            if phase == S_GRANTED:
                ag = ni[node, N_AGENCY]
                tf[tok, 5] = now
                if now != tf[tok, 1]:  # queued: the office's open hours spent in line (nights in line are the office closed)
                    queued = working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, now) - \
                        working_time(wd, ob, per, nper, od, hpd, md, flags, ag + 1, tf[tok, 1])
                    af[ag, 0] += queued
                    tf[tok, 6] = queued
                start = next_open(wd, ob, per, nper, od, hpd, md, flags, ag + 1, now)
                tf[tok, 2] = start
                end = work_end(wd, ob, per, nper, od, hpd, md, flags, ag + 1, start, tf[tok, 3])
                schedule(ht, hi, si, now + (end - now), NORMAL, tok)
                ti[tok, 2] = S_WORKED_AGENCY
                break  # the token waits for an event
            if phase == S_WORKED_AGENCY:
                ag = ni[node, N_AGENCY]
                if pi[ag, 3] > 0:  # the slot passes to the next in line (turn.succeed(): NORMAL, now)
                    size = q.shape[1]
                    nxt = q[ag, pi[ag, 2]]
                    pi[ag, 2] = (pi[ag, 2] + 1) % size
                    pi[ag, 3] -= 1
                    schedule(ht, hi, si, now, NORMAL, nxt)
                else:
                    pi[ag, 0] -= 1
                af[ag, 1] += tf[tok, 3]
                phase = S_WORKED
            if phase == S_WORKED:
                tf[tok, 4] = now  # worked
                col = ni[node, N_COL_WAIT]
                if col >= 0:
                    amount = dur[c, col]
                    unit = ni[node, N_WAIT_UNIT]
                    if unit == UNIT_WORKDAY:
                        target = work_end(wd, ob, per, nper, od, hpd, md, flags, 0, now, amount * hpd[0])
                    elif unit == UNIT_DAY:
                        target = now + 24.0 * amount
                    else:
                        target = now + amount
                    if target > now:
                        schedule(ht, hi, si, now + (target - now), NORMAL, tok)
                        ti[tok, 2] = S_WAITED
                        break  # the token waits for an event
                phase = S_WAITED
            if phase == S_WAITED:
                end = now
                enable, start, worked, granted = tf[tok, 1], tf[tok, 2], tf[tok, 4], tf[tok, 5]
                # the boundaries on the statutory clock; equal instants reuse the reading (as perform_step)
                w_enable = tf[tok, 0]
                w_granted = w_enable if granted == enable else working_time(wd, ob, per, nper, od, hpd, md, flags, 0, granted)
                w_start = w_granted if start == granted else working_time(wd, ob, per, nper, od, hpd, md, flags, 0, start)
                w_worked = w_start if worked == start else working_time(wd, ob, per, nper, od, hpd, md, flags, 0, worked)
                w_end = w_worked if end == worked else working_time(wd, ob, per, nper, od, hpd, md, flags, 0, end)
                sv[node] += 1
                st[node, 0] += start - enable
                st[node, 1] += worked - start
                st[node, 2] += end - enable
                st[node, 3] += tf[tok, 6]
                st[node, 4] += tf[tok, 3]
                st[node, 5] += w_granted - w_enable
                st[node, 6] += w_start - w_granted
                st[node, 7] += w_worked - w_start
                k = si[I_OUT_STEPS]
                si[I_OUT_STEPS] = k + 1
                osi[k, 0] = node
                osi[k, 1] = ti[tok, 0]
                osf[k, 0] = (w_end - w_enable) / hpd[0]
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
                tf[tok, 0] = w_end
                n_succ = ni[node, N_S1] - ni[node, N_S0]
                if n_succ == 0:
                    dead = True
                    break
                _spawn(ni, succ, ti, tf, free, ht, hi, si, sf, ci, c, tok, node)
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
                _finish_case(wd, ob, per, nper, od, hpd, md, flags, si, sf, ci, cf, cp, cpath, ptab, pcont, phash, oc, c)
        if flags[0]:
            return ST_CALENDAR
