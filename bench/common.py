"""Shared pieces of the benchmark harness: parameters, timing, CPU clocks.

Every measurement runs in a fresh worker process (bench/worker.py) so that
clients never share an interpreter, a GIL or a heap, and so that the
process CPU clock of a worker is that one client's cost.  A worker prints
one JSON object: ``{"client", "variant", "label", "info", "rounds": [...]}``
where each round is ``{"ops", "wall", "cpu", "nn_cpu", "t0", "t1"}``:
operations done, wall seconds, CPU seconds of the client process (all its
threads), CPU seconds the NameNode JVM spent meanwhile (None when its pid is
unknown), and the absolute start/end (time.time()) used to add up rounds of
processes that ran at the same time.
"""

import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_cpu(pid):
    """CPU seconds (user + system) used so far by process pid, or None."""
    if not pid:
        return None
    try:
        with open("/proc/%d/stat" % int(pid), "rb") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(b")") + 2:].split()
    # fields[0] is the state; utime and stime are fields 14 and 15 of stat.
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK


def _delta(a, b):
    return None if a is None or b is None else b - a


def wait_until(t):
    """Sleep until time.time() >= t (a common start for parallel workers)."""
    if not t:
        return
    while True:
        d = t - time.time()
        if d <= 0:
            return
        time.sleep(min(d, 0.05))


def children_cpu():
    """CPU seconds of this process's waited-for children."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed_rounds(run_n, params, cpu_clock=time.process_time):
    """Run ``run_n(warmup)`` once, then ``run_n(calls)`` ``rounds`` times,
    timing each round; returns the list of round dicts.

    run_n(n) must perform exactly n operations and return how many it did
    (or None for n)."""
    calls = int(params["calls"])
    warmup = int(params.get("warmup", 0))
    rounds = int(params.get("rounds", 1))
    nn_pid = params.get("nn_pid")
    if warmup:
        run_n(warmup)
    wait_until(params.get("start_at"))
    out = []
    for _ in range(rounds):
        nn0 = proc_cpu(nn_pid)
        c0 = cpu_clock()
        t0 = time.time()
        w0 = time.perf_counter()
        done = run_n(calls)
        w1 = time.perf_counter()
        t1 = time.time()
        c1 = cpu_clock()
        nn1 = proc_cpu(nn_pid)
        out.append({
            "ops": calls if done is None else done,
            "wall": w1 - w0,
            "cpu": c1 - c0,
            "nn_cpu": _delta(nn0, nn1),
            "t0": t0,
            "t1": t1,
        })
    return out


def result(client, variant, label, rounds, **info):
    return {"client": client, "variant": variant, "label": label,
            "rounds": rounds, "info": info}


def skipped(client, variant, label, why):
    return {"client": client, "variant": variant, "label": label,
            "skipped": why}


def emit(obj):
    """The worker's answer: one JSON line on stdout, marked so that library
    chatter on stdout cannot be mistaken for it."""
    print("BENCH-RESULT " + json.dumps(obj), flush=True)


def _cpu_times():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return idle, sum(v[:8])


def idle_fraction(interval=0.5):
    """Fraction of all CPUs' time that was idle over the next interval."""
    i0, t0 = _cpu_times()
    time.sleep(interval)
    i1, t1 = _cpu_times()
    return (i1 - i0) / max(1, t1 - t0)


def wait_idle(max_wait, threshold=0.85, log=None):
    """Wait (at most max_wait seconds) until the machine is mostly idle, so
    that other work on a shared machine skews a measurement less.  Returns
    the last idle fraction seen."""
    deadline = time.monotonic() + max_wait
    said = False
    while True:
        f = idle_fraction()
        if f >= threshold or time.monotonic() >= deadline:
            return f
        if log and not said:
            log("machine busy (%.0f%% idle), waiting up to %d s" % (100 * f, max_wait))
            said = True
