#!/usr/bin/env python3
"""Process accounting for bench/load/run.sh, read from /proc (Linux only).

  procstat.py cpu PID     CPU seconds (utime+stime) of PID and all its descendants, e.g. 12.34
  procstat.py rss PID     resident memory (VmRSS) in KiB, summed over PID and all its descendants
  procstat.py shape PID   "P processes, T threads" of PID and its descendants
  procstat.py begin PID OURS FILE
  procstat.py end PID OURS FILE
                          around a run: end prints "CPU_S OTHER_S TCP_STALLS": the CPU seconds that PID's tree
                          (0 for PID 0) and every process that is not OURS or one of its descendants (the rest of
                          the machine) used since begin, processes that ended in between not counted; and how
                          many TCP events that stall a connection for 0.2-3 s happened on the machine meanwhile
                          (retransmission timeouts, SYN retransmits, listen-queue drops; /proc/net/netstat)

A proxy counts as its whole process tree: nginx's master and worker, a forking proxy's children.
utime/stime of /proc/PID/stat already cover all threads of a process.
"""
import json
import os
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def read_stat(pid):
    """(ppid, utime+stime ticks, threads, starttime) of pid, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode("ascii", "replace")
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may contain spaces: split after the last ')'
    rest = data[data.rindex(")") + 2:].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15, num_threads 20, starttime 22
    return int(rest[1]), int(rest[11]) + int(rest[12]), int(rest[17]), int(rest[19])


def snapshot():
    """{pid: (ppid, ticks, threads)} of every process now."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = read_stat(int(name))
            if st is not None:
                procs[int(name)] = st
    return procs


def tree(root, procs=None):
    """root and every descendant of root that is alive now."""
    children = {}
    for pid, st in (procs if procs is not None else snapshot()).items():
        children.setdefault(st[0], []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def vm_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


STALL_COUNTERS = ("TCPTimeouts", "TCPSynRetrans", "ListenDrops")


def tcp_stalls():
    """Sum of the TcpExt counters in STALL_COUNTERS since boot."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:]))
            return sum(int(table.get(k, 0)) for k in STALL_COUNTERS)
    return 0


def main(argv):
    if argv[1] in ("begin", "end") and len(argv) == 5:
        procs = snapshot()
        pid, ours, path = int(argv[2]), set(tree(int(argv[3]), procs)), argv[4]
        own = sum(procs[p][1] for p in tree(pid, procs) if p in procs) if pid in procs else 0
        # a process is known by its PID and start time, so a reused PID is a new process
        others = {f"{p}:{st[3]}": st[1] for p, st in procs.items() if p not in ours}
        if argv[1] == "begin":
            with open(path, "w") as f:
                json.dump({"own": own, "others": others, "tcp": tcp_stalls()}, f)
            return 0
        with open(path) as f:
            before = json.load(f)
        other = sum(t - before["others"].get(k, 0) for k, t in others.items())
        print(f"{(own - before['own']) / CLK_TCK:.2f} {other / CLK_TCK:.2f} {tcp_stalls() - before['tcp']}")
        return 0
    if len(argv) != 3 or argv[1] not in ("cpu", "rss", "shape"):
        print(__doc__, file=sys.stderr)
        return 2
    root = int(argv[2])
    if read_stat(root) is None:
        print(f"procstat: no process {root}", file=sys.stderr)
        return 1
    pids = tree(root)
    if argv[1] == "cpu":
        ticks = sum(st[1] for st in map(read_stat, pids) if st is not None)
        print(f"{ticks / CLK_TCK:.2f}")
    elif argv[1] == "rss":
        print(sum(vm_rss_kib(p) for p in pids))
    else:
        threads = sum(st[2] for st in map(read_stat, pids) if st is not None)
        print(f"{len(pids)} process{'es' if len(pids) != 1 else ''}, {threads} thread{'s' if threads != 1 else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
