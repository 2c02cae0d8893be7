#!/usr/bin/env python3
"""ready.py PORT PID T0_NS TIMEOUT_S: for bench/footprint/footprint.sh.

Polls http://127.0.0.1:PORT/readyz every 2 ms and prints "WALL_MS CPU_MS": the milliseconds from T0_NS (wall
clock in ns, as `date +%s%N` printed just before the process was started) to the first 200 answer, and the CPU
time PID had used by then (utime+stime of all its threads, /proc/PID/stat, in clock ticks). On a shared machine the
wall time depends on what else runs; the CPU time much less. Exits 1 if PID ends first or TIMEOUT_S seconds pass.
Standard library only; one short connection per poll, as a kubelet probe makes.
"""
import os
import socket
import sys
import time


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        rest = f.read().decode("ascii", "replace").rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) * 1000 // CLK_TCK


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().decode("ascii", "replace").rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def main():
    port, pid, t0, timeout = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    deadline = time.monotonic() + timeout
    request = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(request)
                head = s.recv(16)
                now = time.time_ns()
                if head.startswith(b"HTTP/1.1 200"):
                    print(f"{(now - t0) / 1e6:.0f} {cpu_ms(pid)}")
                    return 0
        except OSError:
            pass
        if not alive(pid):
            print(f"ready.py: process {pid} ended before /readyz answered 200", file=sys.stderr)
            return 1
        time.sleep(0.002)
    print(f"ready.py: no 200 from /readyz on port {port} within {timeout:g} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
