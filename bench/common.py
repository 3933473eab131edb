"""Shared pieces of the benchmark harness: the worker protocol, timing,
CPU clocks.

Every client runs in its own worker process (bench/worker.py), so clients
never share an interpreter, a GIL or a heap, and a worker's CPU clock is
that one client's cost.  run.py drives the workers over a line protocol,
which lets it interleave the rounds of all clients (round 1 of every
client, then round 2 ...) so that a slow spell of a shared machine hits
them all alike, and start the rounds of several workers at the same
instant for the NameNode capacity runs:

    worker -> "BENCH-READY"                 (connected and warmed up)
    run.py -> "ROUND N"
    worker -> "BENCH-ROUND {json}"          {"ops", "wall", "cpu", "nn_cpu", "t0", "t1"}
    run.py -> "EXIT"
    worker -> "BENCH-RESULT {json}"         {"client", "variant", "label", "info"}

A worker that cannot run its client answers "BENCH-RESULT" at once with
"skipped" (client not installed, not built) or "error" instead of READY.
Round fields: operations done, wall seconds, CPU seconds of the client
(all its threads; for one-process-per-call clients, its children), CPU
seconds the NameNode JVM spent meanwhile (None if its pid is unknown), and
the absolute start/end (time.time()) to add up rounds of parallel workers.
Other lines on stdout (library chatter) are ignored.
"""

import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class Skip(Exception):
    """This client cannot be measured here (the message says why)."""


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


def build_dn_bench(name, build_dir=None):
    """bench/c/<name>.c compiled against libhadoofus.so of the meson build
    dir build_dir (None: a release build of this tree, kept up to date in
    ~/.cache/hadoofus/<name>-build); returns the executable's path."""
    if build_dir is None:
        build_dir = os.path.join(os.path.expanduser("~"), ".cache", "hadoofus",
                                 name + "-build")
        if not os.path.exists(os.path.join(build_dir, "build.ninja")):
            subprocess.run(["meson", "setup", build_dir, REPO, "--buildtype=release",
                            "-Dpython=disabled", "-Dtests=false"], check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run(["ninja", "-C", build_dir], check=True, stdout=subprocess.DEVNULL)
    exe = os.path.join(build_dir, name)
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(HERE, "c", name + ".c"),
                    "-I" + os.path.join(REPO, "include"),
                    "-I" + os.path.join(build_dir, "csrc", "proto"),
                    os.path.join(build_dir, "libhadoofus.so"), "-lprotobuf-c",
                    "-Wl,-rpath," + build_dir], check=True, stdout=subprocess.DEVNULL)
    return exe


def children_cpu():
    """CPU seconds of this process's waited-for children."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _delta(a, b):
    return None if a is None or b is None else b - a


class LoopSession:
    """A client measured in this process: run_n(n) performs exactly n
    operations.  cpu_clock is the client's CPU clock (default: this
    process, all threads)."""

    def __init__(self, run_n, params, cpu_clock=time.process_time, info=None, close=None):
        self.run_n = run_n
        self.params = params
        self.cpu_clock = cpu_clock
        self.info = info if info is not None else {}  # close() may add to it
        self._close = close

    def warmup(self):
        n = int(self.params.get("warmup", 0))
        if n:
            self.run_n(n)

    def round(self, n):
        nn_pid = self.params.get("nn_pid")
        nn0 = proc_cpu(nn_pid)
        c0 = self.cpu_clock()
        t0 = time.time()
        w0 = time.perf_counter()
        self.run_n(n)
        w1 = time.perf_counter()
        t1 = time.time()
        c1 = self.cpu_clock()
        nn1 = proc_cpu(nn_pid)
        return {"ops": n, "wall": w1 - w0, "cpu": c1 - c0, "nn_cpu": _delta(nn0, nn1),
                "t0": t0, "t1": t1}

    def close(self):
        if self._close:
            self._close()
        return self.info


def parallel_read(size, nthreads, chunk, read_at, what):
    """run_n for a LoopSession's "par" variant: each operation reads bytes
    [0, size) with nthreads threads, one equal share each (the last takes
    the rest), chunk bytes per call. read_at(i, off, want) is thread i's
    read and returns the bytes it got; a short read (named by `what`) or
    any exception of a thread fails the round."""
    share = size // nthreads
    errors = []

    def part(i):
        off = share * i
        end = size if i == nthreads - 1 else off + share
        try:
            while off < end:
                want = min(chunk, end - off)
                if read_at(i, off, want) != want:
                    raise RuntimeError("short %s at %d" % (what, off))
                off += want
        except Exception as e:  # reported by run_n
            errors.append(e)

    def run_n(n):
        for _ in range(n):
            ts = [threading.Thread(target=part, args=(i,)) for i in range(nthreads)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            if errors:
                raise errors[0]

    return run_n


class ChildSession:
    """A client measured by a program of its own (Java, C) that speaks the
    same protocol on its stdin/stdout, minus the BENCH- prefixes: after
    warm-up it prints READY; each "ROUND N" gets one JSON round line;
    "EXIT" gets one JSON object of extra info."""

    def __init__(self, cmd, params, env=None):
        self.params = params
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True, bufsize=1)

    def _line(self):
        while True:
            line = self.proc.stdout.readline()
            if not line:
                rc = self.proc.wait()
                raise RuntimeError("%s exited %d" % (self.proc.args[0], rc))
            line = line.strip()
            if line == "READY" or line.startswith("{"):
                return line

    def _send(self, s):
        self.proc.stdin.write(s + "\n")
        self.proc.stdin.flush()

    def warmup(self):
        if self._line() != "READY":
            raise RuntimeError("expected READY")

    def round(self, n):
        self._send("ROUND %d" % n)
        return json.loads(self._line())

    def close(self):
        self._send("EXIT")
        info = json.loads(self._line())
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        return info


def emit(kind, obj=None):
    """One protocol line on stdout, marked so that library chatter on
    stdout cannot be mistaken for it."""
    sys.stdout.write("BENCH-%s%s\n" % (kind, "" if obj is None else " " + json.dumps(obj)))
    sys.stdout.flush()


# ---------------------------------------------------------------------------
# Shared machines


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
