#!/usr/bin/env python3
"""bench/profile/audit_share.py: the audit log's whole share of a profile, by part.

Reads the collapsed stacks of a kept profile.sh run (KEEP_RUN=1; async-profiler with `threads`, so each stack
starts with its thread's name) and prints what the audit costs, in samples, % of all samples and, given the
requests and the Sluice CPU seconds of the run, in µs per request:

- on the audit writer's thread (every sample of it): encoding the JSON, the hash chain (SHA-256), writing the
  file (write and what FileChannel does around it), waiting and waking (queue poll, park, futex), the rest;
- on the event loops: building the record and handing it to the writer (ExchangeRecorder.record minus its
  metrics), and the metrics updated per request (org.sluice.proxy.metrics).

    bench/profile/audit_share.py RUN_DIR [WORKLOAD...]      (workloads default: get post64k)

RUN_DIR/phases.tsv gives the requests and CPU seconds (profile.sh writes it). Standard library only.
"""
import sys
from collections import Counter
from pathlib import Path

WRITER = "sluice-audit-writer"
PARTS = ["writer: JSON encode", "writer: hash chain", "writer: file write", "writer: wait and wake",
         "writer: other", "event loop: record and hand-off", "event loop: metrics"]


def writer_part(frames):
    for f in reversed(frames):  # nearest the leaf first
        if "MessageDigest" in f or "sun/security/provider" in f or "AuditChain" in f:
            return "writer: hash chain"
        if "FileAuditSink" in f or "FileChannelImpl" in f or "IOUtil" in f:
            return "writer: file write"
        if ("ArrayBlockingQueue" in f or "LockSupport" in f or "Unsafe.park" in f or "futex" in f
                or "MpscArrayQueue" in f or "MpscQueue" in f):
            return "writer: wait and wake"
        if ("AuditLineEncoder" in f or "JsonBytes" in f or "jackson" in f or "UtcTimestamps" in f):
            return "writer: JSON encode"
    return "writer: other"


def event_loop_part(frames):
    names = ";".join(frames)
    if "org/sluice/proxy/metrics/" in names:
        return "event loop: metrics"
    if "ExchangeRecorder.record" in names or "org/sluice/proxy/audit/" in names:
        return "event loop: record and hand-off"
    return None


def classify(path):
    parts, total = Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        if frames[0].startswith("[" + WRITER):
            parts[writer_part(frames[1:])] += n
        else:
            part = event_loop_part(frames[1:])
            if part:
                parts[part] += n
    return parts, total


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: audit_share.py RUN_DIR [WORKLOAD...]")
    run = Path(sys.argv[1])
    workloads = sys.argv[2:] or ["get", "post64k"]
    phases = {}
    for row in (run / "phases.tsv").read_text().splitlines():
        cols = row.split("\t")
        phases[cols[0]] = (int(cols[1]), float(cols[3]))
    for w in workloads:
        parts, total = classify(run / f"{w}.collapsed")
        requests, cpu = phases[w]
        us = cpu * 1e6 / requests
        print(f"## {w}: {requests} requests, {cpu:.2f} CPU s, {us:.1f} µs/request, {total} samples")
        print("| part | samples | share | µs/request |")
        print("|---|---:|---:|---:|")
        audit = 0
        for p in PARTS:
            audit += parts[p]
            print(f"| {p} | {parts[p]} | {100 * parts[p] / total:.1f}% | {us * parts[p] / total:.2f} |")
        print(f"| **audit, all** | {audit} | {100 * audit / total:.1f}% | {us * audit / total:.2f} |")
        print()


if __name__ == "__main__":
    main()
