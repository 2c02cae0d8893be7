#!/usr/bin/env python3
"""Turns bench/content/cost.sh's runs.tsv into the markdown report on stdout.

  cost_report.py RUNS.tsv INDEX.sfp ROWS ABOUT

runs.tsv columns: policy, workload, rep, requests, duration_us, sluice_cpu_s, non-2xx, socket errors, p99_us.
Each cell is the median over the repetitions; the ratio column is content / plain for the same workload.
"""
import os
import statistics
import sys

WORKLOADS = [
    ("get", "GET /api/small, 64 connections (rule without content checks)"),
    ("post64k", "POST 64 KiB octets to /api/upload, 32 connections (rule without content checks)"),
    ("json64k", "POST 64 KiB JSON to /api/results, 32 connections (plain: no check; content: every check)"),
]


def main():
    runs_file, index_file, rows, about = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    cells = {}
    for line in open(runs_file):
        policy, workload, _rep, requests, duration_us, cpu_s, status, errors, p99_us = line.rstrip("\n").split("\t")
        requests = int(requests)
        cells.setdefault((policy, workload), []).append({
            "rps": requests / (int(duration_us) / 1e6),
            "cpu_us": float(cpu_s) * 1e6 / requests if requests else float("nan"),
            "p99_ms": float(p99_us) / 1000,
            "bad": int(status) + int(errors),
        })
    median = lambda policy, workload, key: statistics.median(r[key] for r in cells[(policy, workload)])
    out = ["# Content checks under load: what they cost, and what requests without them pay", "",
           about, "",
           "Produced by `bench/content/cost.sh`. Each cell is the median of the repetitions; **ratio** is the "
           "content policy's figure over the plain policy's for the same workload (1.00: no difference; the "
           "machine is shared, so differences of a few per cent are noise).", "",
           "| workload | policy | req/s | Sluice CPU µs / request | p99 ms | non-2xx + socket errors |",
           "|---|---|---:|---:|---:|---:|"]
    for workload, about_workload in WORKLOADS:
        for policy in ("plain", "content"):
            if (policy, workload) not in cells:
                continue
            bad = sum(r["bad"] for r in cells[(policy, workload)])
            out.append(f"| {about_workload} | {policy} | {median(policy, workload, 'rps'):,.0f} | "
                       f"{median(policy, workload, 'cpu_us'):.1f} | {median(policy, workload, 'p99_ms'):.2f} | {bad} |")
    out += ["", "| workload | req/s ratio (content / plain) | CPU per request ratio |", "|---|---:|---:|"]
    for workload, about_workload in WORKLOADS:
        if ("plain", workload) in cells and ("content", workload) in cells:
            rps = median("content", workload, "rps") / median("plain", workload, "rps")
            cpu = median("content", workload, "cpu_us") / median("plain", workload, "cpu_us")
            out.append(f"| {about_workload} | {rps:.2f} | {cpu:.2f} |")
    size = os.path.getsize(index_file)
    out += ["", f"Fingerprint index: {size:,} bytes for {rows:,} rows ({size / rows:.2f} bytes per row).", ""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
