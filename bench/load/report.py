#!/usr/bin/env python3
"""Turns the raw CSV and facts of a bench/load/run.sh session into a markdown report and an SVG chart.

  report.py --csv RAW.csv --meta META.txt --md OUT.md --svg OUT.svg --svg-link NAME.svg

Python standard library only. Each table cell is the median over the repetitions; RSS is taken after the last
repetition; non-2xx and socket errors are summed over the repetitions.
"""
import argparse
import csv
import html
import math
import statistics

OTHER_LOAD_FLAG = 20  # percent of one CPU used by processes not of this run, above which a cell is flagged
ALL_SERVERS = ["direct", "sluice", "sluice-before", "nginx", "haproxy", "squid", "tinyproxy"]
LABELS = {"direct": "direct (no proxy)", "sluice": "Sluice", "sluice-before": "Sluice before", "nginx": "nginx",
          "haproxy": "HAProxy", "squid": "Squid", "tinyproxy": "tinyproxy"}
COLORS = {"direct": "#9e9e9e", "sluice": "#d62728", "sluice-before": "#f4a6a6", "nginx": "#2ca02c",
          "haproxy": "#1f77b4", "squid": "#ff7f0e", "tinyproxy": "#9467bd"}
V6_PATH = "/result?task_id=41&page=1"
ALL_WORKLOADS = [
    ("get64", "GET /api/small, 64 connections", "GET 64 conns"),
    ("get64r10", "GET /api/small, 64 connections, Sluice with 10 rules", "GET, 10 rules"),
    ("getv6", f"GET {V6_PATH}, 64 connections, Sluice with the vantage6 example policy", "GET, vantage6 policy"),
    ("post64k", "POST 64 KiB to /api/upload, 32 connections", "POST 64 KiB, 32 conns"),
    ("post1m", "POST 1 MiB to /api/upload, 8 connections", "POST 1 MiB, 8 conns"),
    ("get1000", "GET /api/small, 1,000 keep-alive connections", "GET 1,000 conns"),
]
POLICY_WORKLOADS = {
    "get64r10": "Sluice's policy has 10 rules: 9 that do not match (`/svcN/**`, GET) first, then `/api/**`.",
    "getv6": "Sluice runs `examples/vantage6.yaml` (14 rules; the request matches the 10th, `result-list`, with "
             "its query-parameter list), with the origin's address in place of the node proxy's.",
}
# Set by main() from the run's facts: the servers and workloads of this run, in its order.
SERVERS = list(ALL_SERVERS)
WORKLOADS = list(ALL_WORKLOADS)


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                meta[key] = value
    return meta


def read_rows(path):
    with open(path, newline="") as f:
        # a row cut short (a line break in a note) has no note field: it is not a measurement
        return [r for r in csv.DictReader(f) if r.get("note") is not None]


def num(v):
    return float(v) if v not in (None, "") else None


class Cell:
    """The repetitions of one server (or variant) in one workload."""

    def __init__(self, rows):
        self.rows = rows
        ok = [r for r in rows if r["requests"] != ""]
        answered = [r for r in ok if int(r["requests"]) > 0]
        self.failed_reps = len(rows) - len(ok)
        self.reps = len(ok)
        self.notes = [f"repetition {r['rep']}: {r['note']}" for r in rows if r.get("note")]
        self.restarted = any(r.get("note", "").startswith("restarted") for r in rows)

        def med(key, among):
            vals = [num(r[key]) for r in among if num(r[key]) is not None]
            return statistics.median(vals) if vals else None

        self.rps = med("rps", ok)
        self.p50 = med("p50_ms", answered)
        self.p99 = med("p99_ms", answered)
        self.cpu = med("cpu_s_per_10k", answered)
        others = [num(r.get("other_cpu_pct")) for r in ok if num(r.get("other_cpu_pct")) is not None]
        self.other_max = max(others) if others else None
        self.tcp_stalls = sum(int(r["tcp_stalls"]) for r in ok if r.get("tcp_stalls"))
        last = ok[-1] if ok else None
        self.rss = num(last["rss_mib"]) if last else None
        self.requests = sum(int(r["requests"]) for r in ok)
        self.non2xx = sum(int(r["non2xx"]) for r in ok)
        self.sock = sum(int(r["socket_errors"]) for r in ok)


def cells(rows, section, workload, key):
    """{key value: Cell} for one section and workload, rows ordered by repetition."""
    groups = {}
    for r in rows:
        if r["section"] == section and r["workload"] == workload:
            groups.setdefault(r[key], []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: int(r["rep"]))
    return {k: Cell(v) for k, v in groups.items()}


def f_rps(v):
    return "—" if v is None else f"{v:,.0f}"


def f_ms(v):
    return "—" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")


def f_cpu(v):
    return "—" if v is None else f"{v:.3f}"


def f_mib(v):
    return "—" if v is None else f"{v:.0f}"


def f_ratio(a, b):
    return "—" if a is None or not b else f"{a / b:.2f}"


def us_per_req(c):
    """CPU µs per request from the cell's CPU s per 10,000 requests."""
    return None if c is None or c.cpu is None else c.cpu * 100


def f_us(v):
    return "—" if v is None else (f"{v:.1f}" if v < 100 else f"{v:.0f}")


def f_errors(c):
    if c.reps == 0:
        return "—"
    text = f"**{c.non2xx:,} ⚠ ({100.0 * c.non2xx / max(c.requests, 1):.1f} %)**" if c.non2xx else "0"
    if c.sock:
        text += f" + {c.sock:,} socket errors"
    if c.failed_reps:
        text += f" ({c.failed_reps} repetition(s) without a wrk result)"
    return text


def f_rps_cell(c):
    if c.reps == 0:
        return "failed: " + "; ".join(r.get("note") or "no result" for r in c.rows[:1])
    text = f_rps(c.rps)
    if c.rps == 0:
        text = "⚠ 0 (no responses)"
    elif c.non2xx:
        text = f"⚠ {text}"
    if c.restarted:
        text += " ↻"
    return text


def footnotes(named_cells):
    """Lines under a table for the cells whose repetitions carry notes (restarts, failures)."""
    out = []
    for label, c in named_cells:
        if c is not None and c.notes:
            out.append(f"- {label}: " + "; ".join(c.notes))
        if c is not None and c.other_max is not None and c.other_max >= OTHER_LOAD_FLAG:
            out.append(f"- {label}: other processes on the machine used up to {c.other_max:.0f} % of a CPU during "
                       "its repetitions: its numbers may be low")
        if c is not None and c.tcp_stalls:
            out.append(f"- {label}: {c.tcp_stalls} TCP stall event(s) on the machine during its repetitions "
                       "(retransmission timeouts, SYN retries, listen-queue drops): each holds a connection "
                       "0.2–3 s, which wrk's latency correction spreads over the p99")
    if out:
        out = [""] + out
    return out


def workload_table(rows, meta, wl):
    cs = cells(rows, "main", wl, "server")
    direct = cs.get("direct")
    nginx = cs.get("nginx")
    out = ["| server | req/s | p50 ms | p99 ms | CPU µs / req | CPU s / 10k req | RSS MiB | non-2xx | req/s vs direct | "
           "req/s vs nginx | CPU vs nginx | p99 vs nginx |",
           "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"]
    shown = []
    for s in SERVERS:
        status = meta.get(f"status.{s}", "not run")
        c = cs.get(s)
        if wl in POLICY_WORKLOADS and c is None and status == "ok":
            continue  # a server without a policy that sat this workload out (Squid, tinyproxy)
        shown.append(s)
        if status != "ok" or c is None:
            out.append(f"| {LABELS[s]} | {status if status != 'ok' else 'no result'} | | | | | | | | | | |")
            continue
        proxy = s != "direct"
        cpu = f_cpu(c.cpu) if proxy else "— (no proxy)"
        us = f_us(us_per_req(c)) if proxy else "—"
        rss = f_mib(c.rss) if proxy else "—"
        cpu_vs = f_ratio(us_per_req(c), us_per_req(nginx)) if proxy else "—"
        out.append(f"| {LABELS[s]} | {f_rps_cell(c)} | {f_ms(c.p50)} | {f_ms(c.p99)} | {us} | {cpu} | {rss} | "
                   f"{f_errors(c)} | {f_ratio(c.rps, direct.rps if direct else None)} | "
                   f"{f_ratio(c.rps, nginx.rps if nginx else None)} | {cpu_vs} | "
                   f"{f_ratio(c.p99, nginx.p99 if nginx else None)} |")
    return out + footnotes([(LABELS[s], cs.get(s)) for s in shown])


def before_after_table(rows):
    """Per workload: Sluice before and after, with nginx and HAProxy of the same run, on the issue's measures."""
    out = ["| workload | CPU µs / req: before → after (after / before) | nginx | HAProxy | "
           "req/s: before → after | nginx | HAProxy | p50 ms: before → after | p99 ms: before → after | nginx p99 | "
           "HAProxy p99 | RSS MiB: before → after |",
           "|---|---|---:|---:|---|---:|---:|---|---|---:|---:|---|"]
    for wl, _, short in WORKLOADS:
        cs = cells(rows, "main", wl, "server")
        b, a, n, h = cs.get("sluice-before"), cs.get("sluice"), cs.get("nginx"), cs.get("haproxy")
        if b is None or a is None:
            continue

        def pair(f, x, y, ratio=False):
            text = f"{f(x)} → {f(y)}"
            return text + (f" ({f_ratio(y, x)})" if ratio and x and y is not None else "")

        out.append(f"| {short} | {pair(f_us, us_per_req(b), us_per_req(a), True)} | {f_us(us_per_req(n))} | "
                   f"{f_us(us_per_req(h))} | {pair(f_rps, b.rps, a.rps)} | {f_rps(n.rps if n else None)} | "
                   f"{f_rps(h.rps if h else None)} | {pair(f_ms, b.p50, a.p50)} | {pair(f_ms, b.p99, a.p99)} | "
                   f"{f_ms(n.p99 if n else None)} | {f_ms(h.p99 if h else None)} | {pair(f_mib, b.rss, a.rss)} |")
    return out if len(out) > 2 else []


def growth_rules_table(rows, meta):
    cs = cells(rows, "rules", "get64", "variant")
    if not cs:
        return []
    base = cs.get("1")
    out = ["| rules in the policy | req/s | p50 ms | p99 ms | CPU s / 10k req | RSS MiB | non-2xx | req/s vs 1 rule |",
           "|---:|---:|---:|---:|---:|---:|---|---:|"]
    variants = sorted(set(cs) | {k.split(".")[-1] for k in meta if k.startswith("growthfail.rules.")}, key=int)
    for v in variants:
        c = cs.get(v)
        label = f"{int(v):,}" + (" (the main instance)" if v == "1" else "")
        if c is None:
            out.append(f"| {label} | failed: {meta.get('growthfail.rules.' + v, 'no result')} | | | | | | |")
            continue
        out.append(f"| {label} | {f_rps_cell(c)} | {f_ms(c.p50)} | {f_ms(c.p99)} | {f_cpu(c.cpu)} | {f_mib(c.rss)} | "
                   f"{f_errors(c)} | {f_ratio(c.rps, base.rps if base else None)} |")
    return out + footnotes([(f"{int(v):,} rules", cs.get(v)) for v in variants])


def growth_idle_table(rows, meta):
    cs = cells(rows, "idle", "get64", "variant")
    failed = {k.split(".")[-1] for k in meta if k.startswith("growthfail.idle.")}
    if not cs and not failed:
        return []
    base = cells(rows, "rules", "get64", "variant").get("1")
    out = ["| idle keep-alive connections | req/s | p50 ms | p99 ms | CPU s / 10k req | RSS MiB | non-2xx | "
           "idle connections held (helper) | req/s vs no idle |",
           "|---:|---:|---:|---:|---:|---:|---|---|---:|"]
    if base:
        out.append(f"| 0 (1-rule instance, policy-size run) | {f_rps_cell(base)} | {f_ms(base.p50)} | {f_ms(base.p99)} | "
                   f"{f_cpu(base.cpu)} | {f_mib(base.rss)} | {f_errors(base)} | — | 1.00 |")
    for v in sorted(set(cs) | failed, key=int):
        c = cs.get(v)
        if c is None:
            out.append(f"| {int(v):,} | failed: {meta.get('growthfail.idle.' + v, 'no result')} | | | | | | | |")
            continue
        out.append(f"| {int(v):,} | {f_rps_cell(c)} | {f_ms(c.p50)} | {f_ms(c.p99)} | {f_cpu(c.cpu)} | {f_mib(c.rss)} | "
                   f"{f_errors(c)} | {meta.get('idle.' + v, '?')} | {f_ratio(c.rps, base.rps if base else None)} |")
    return out + footnotes([(f"{int(v):,} idle", cs.get(v)) for v in sorted(cs, key=int)])


def log_check_table(meta):
    wls = [w[0] for w in WORKLOADS]
    out = ["| server | " + " | ".join(wls) + " |", "|---|" + "---:|" * len(wls)]
    for s in (x for x in SERVERS if x != "direct"):
        cols = []
        for wl in wls:
            v = meta.get(f"loglines.{wl}.{s}")
            if not v:
                cols.append("—")
                continue
            lines, sent = (int(x) for x in v.split())
            cols.append(f"{lines / sent:.2f}" if sent else "—")
        if any(c != "—" for c in cols):
            out.append(f"| {LABELS[s]} | " + " | ".join(cols) + " |")
    return out


def shape_table(meta):
    wls = [w[0] for w in WORKLOADS]
    out = ["| server | " + " | ".join(wls) + " |", "|---|" + "---|" * len(wls)]
    for s in (x for x in SERVERS if x != "direct"):
        cols = [meta.get(f"shape.main.{wl}.{s}.", "—") for wl in wls]
        if any(c != "—" for c in cols):
            out.append(f"| {LABELS[s]} | " + " | ".join(cols) + " |")
    return out


def markdown(rows, meta, svg_link, csv_name):
    m = meta.get
    day = m("date", "")[:10]
    lines = [f"# Sluice load comparison, {day}", "",
             "Produced by `bench/load/run.sh`: the same workloads, in one session on one machine, sent straight to the "
             "origin and through Sluice, nginx, HAProxy, Squid and tinyproxy. This is a shared 2-core machine: "
             "compare the ratios within this run, not absolute numbers across runs.", "",
             f"![req/s per workload and server]({svg_link})", "",
             f"Chart: [{svg_link}]({svg_link}). Raw per-repetition numbers: [{csv_name}]({csv_name}).", "",
             "## Machine", "",
             f"- date: {m('date', '?')}",
             f"- CPUs (nproc): {m('nproc', '?')}, {m('cpu', '?')}; memory {m('memory', '?')}",
             f"- kernel: {m('kernel', '?')}",
             f"- open-files limit (ulimit -n): {m('nofile', '?')}",
             f"- other load (processes not started by this run, in % of one CPU): {m('other_load_before', '?')} % "
             f"just before the start; during the measured repetitions {other_summary(rows)}", "",
             "## Versions", "",
             f"- Sluice: {m('v.sluice', '?')}",
             *([f"- Sluice before: {m('v.sluice_before')}"] if m("v.sluice_before") else []),
             f"- Java: {m('v.java', 'not installed')}",
             f"- {m('v.nginx', 'nginx: ?')}",
             f"- {m('v.haproxy', 'HAProxy: not installed')}",
             f"- {m('v.squid', 'Squid: not installed')}",
             f"- {m('v.tinyproxy', 'tinyproxy: not installed')}",
             f"- {m('v.wrk', 'wrk: ?')}", "",
             "## Settings", "",
             f"- each cell: a {m('warmup')} s warm-up (not counted), then {m('reps')} repetitions of {m('duration')} s; "
             "the table shows the **median** of the repetitions. Within a workload the servers take turns "
             "(warm-up of each, then repetition 1 of each, ...), the order rotating per repetition, so a "
             f"slow patch of the shared machine hits all of them. Before the first workload every server got "
             f"{m('prime')} s of GET load, not counted (JIT compilation for Sluice).",
             "- before every run each proxy must answer GET /api/small with 200; one that does not is restarted "
             "(and warmed up again), and the cell is marked ↻ with the reason under the table.",
             "- load: `wrk -t1 --timeout 5s --latency` pinned to CPU 1; p50/p99 come from wrk's own latency "
             "histogram (printed by a Lua `done()` hook, bench/load/wrk-report.lua), which wrk corrects for "
             "coordinated omission: one connection stalled for a second adds many samples, so a rare stall "
             "shows in p99 (see the per-repetition numbers in the CSV).",
             f"- origin: {m('origin', '?')}; pinned to CPU 1 with wrk.",
             "- proxies: pinned to CPU 0, one worker/thread each, access log on (to a file): nginx "
             "`worker_processes 1` with an upstream keep-alive pool of 64, `proxy_request_buffering "
             f"{m('nginx_request_buffering', 'on')}`; HAProxy `nbthread 1`, `option httplog`, "
             "`http-reuse always`; Squid `workers 1` in accelerator mode, `cache deny all`; tinyproxy in reverse "
             "mode, `LogLevel Connect`; Sluice `java -XX:ActiveProcessorCount=1 "
             f"{m('sluice_java_opts', '-Xms256m -Xmx256m')}` (one event "
             "loop), a one-rule policy (`/api/**`), audit log on, upstream pool `maxConnectionsPerLoop` "
             f"{m('sluice_pool', 'default')}"
             + (" (Sluice's default, 64)" if m('sluice_pool', 'default') == 'default' else " (SLUICE_UPSTREAM_POOL)")
             + ".",
             "- CPU s / 10k req: utime+stime of the proxy's whole process tree (/proc/PID/stat) over one repetition, "
             "per 10,000 requests; RSS: VmRSS summed over the proxy's processes after the last repetition.",
             "- non-2xx: responses with HTTP status ≥ 400 as counted by wrk, summed over the repetitions "
             "(a proxy answering errors is flagged ⚠, never silently fast); socket errors are wrk's connect, "
             "read, write and timeout errors.",
             f"- ports: {m('ports', '?')} (127.0.0.1 only)", ""]
    for key in sorted(k for k in meta if k.startswith("note.")):
        lines.append(f"- note, {LABELS.get(key[5:], key[5:])}: {meta[key]}")
    lines.append("")
    before_after = before_after_table(rows)
    if before_after:
        lines += ["## Before and after", "",
                  f"Sluice before is `{m('v.sluice_before', '?')}`, Sluice after is this tree; both ran exactly alike "
                  "(same JVM options, config and turn in every set), next to nginx and HAProxy in the same sets. "
                  "Medians as in the tables below; CPU µs / req is the proxy's CPU time per request.", ""]
        lines += before_after + [""]
    for wl, desc, _ in WORKLOADS:
        lines += [f"## {desc}", ""]
        if wl in POLICY_WORKLOADS:
            lines += [POLICY_WORKLOADS[wl] + " The servers without a policy (direct, nginx, HAProxy) serve the same "
                      "GET as a plain proxy: their rows are the comparison Sluice's policy costs against, measured "
                      "in the same interleaved set (Squid and tinyproxy sit these workloads out). Each Sluice "
                      f"instance with this policy was started for this workload and primed with {m('prime')} s of it.",
                      ""]
            for s in SERVERS:
                if m(f"policy.{wl}.{s}"):
                    lines.append(f"- {LABELS.get(s, s)}: {m(f'policy.{wl}.{s}')}")
            lines.append("")
        lines += workload_table(rows, meta, wl) + [""]

    rules = growth_rules_table(rows, meta)
    idle = growth_idle_table(rows, meta)
    if rules or idle:
        lines += ["## Growth: Sluice only", ""]
    if rules:
        lines += ["### Policy size (GET /api/small, 64 connections)", "",
                  "N-1 rules that do not match (`/svcN/**`, GET) come first and the matching `/api/**` rule last, so "
                  "every request is checked against the whole list. The instances took turns within one run.", ""]
        lines += rules + [""]
    if idle:
        lines += ["### Idle keep-alive connections (GET /api/small, 64 connections)", "",
                  "A helper (bench/load/idle_conns.py, CPU 1) opens the idle connections, sends one keep-alive request "
                  "on each, reads its answer and holds them open while the GET workload runs; a fresh Sluice "
                  "instance (`timeouts: {idle: 10m}`) for each count. RSS is measured with the idle connections open.",
                  ""]
        lines += idle + [""]

    lines += ["## Notes", ""]
    if m("nginx_request_buffering", "on") == "on":
        lines += ["- nginx's uploads: with request buffering on (its default) nginx reads the whole body (above 16 KiB "
                  "into a temporary file), then sends it to the origin in a write after the headers. The origin "
                  "waits for the whole body before it answers, so it delays its ACK while Nagle's algorithm holds "
                  "the body back (most likely): about 40 ms per upload. `NGINX_REQUEST_BUFFERING=off` avoids that "
                  "(checked by hand: about 3,700 req/s instead of about 700 for 64 KiB)."]
    lines += ["- tinyproxy answers every request with the connection closed (no keep-alive towards the client), so "
              "wrk reconnects for every request and counts most of those closes as read errors."]
    sluice_restarts = any(r.get("note", "").startswith("restarted") and r["server"].startswith("sluice") for r in rows)
    if sluice_restarts or m("sluice_pool", "default") != "default":
        lines += ["- Sluice's upstream pool (seen at commit 7dcec3c) leaks a slot whenever a client goes away while "
                  "its request is in flight upstream, as at the end of every wrk run; once `maxConnectionsPerLoop` "
                  "slots have leaked, it answers every request with 502 after 5 s. With the default of 64 that "
                  "happens after a few runs and the script restarts it (cells marked ↻); "
                  f"this run used maxConnectionsPerLoop {m('sluice_pool', 'default')} (`SLUICE_UPSTREAM_POOL`)."]
    lines += [""]
    lines += ["## Checks", "",
              "Access-log lines written per request sent (warm-up included; read after each workload). "
              "1.00 means one line per request; tinyproxy writes several lines per connection "
              "(connect, request, ...); Squid buffers its log, so it may be a little short. Requests still in "
              "flight when a run ends are logged but not counted by wrk, which lifts the ratio most with 1,000 "
              "connections.", ""]
    lines += log_check_table(meta) + [""]
    shapes = shape_table(meta)
    if len(shapes) > 2:
        lines += ["Processes and threads of each proxy, sampled in the middle of the last repetition:", ""]
        lines += shapes + [""]
    lines += [f"Run time: {m('elapsed', '?')} s.", ""]
    return "\n".join(lines)


def other_summary(rows):
    vals = sorted(num(r.get("other_cpu_pct")) for r in rows if num(r.get("other_cpu_pct")) is not None)
    if not vals:
        return "not measured"
    flagged = sum(1 for v in vals if v >= OTHER_LOAD_FLAG)
    return (f"median {statistics.median(vals):.0f} %, max {vals[-1]:.0f} %; {flagged} of {len(vals)} repetitions "
            f"had ≥ {OTHER_LOAD_FLAG} % (flagged under the tables)")


def nice_max(v):
    """A round axis maximum and step above v (1, 2, 2.5 or 5 times a power of ten, about 4-6 ticks)."""
    if v <= 0:
        return 1.0, 0.2
    exp = 10 ** math.floor(math.log10(v))
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        s = step * exp
        if v / s <= 6:
            return math.ceil(v / s) * s, s
    return math.ceil(v / (10 * exp)) * 10 * exp, 10 * exp


def fmt_axis(v):
    if v >= 1000:
        return f"{v / 1000:g}k"
    return f"{v:g}"


def svg(rows, meta):
    """Grouped bars: one panel per workload (each with its own req/s axis), one bar per server."""
    present = [s for s in SERVERS if meta.get(f"status.{s}") == "ok"]
    pw, ph = 300, 330           # panel size
    left, top, gap = 60, 70, 30  # margins
    width = left + len(WORKLOADS) * (pw + gap) + 10
    height = top + ph + 55
    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="24" font-size="16" font-weight="bold">Requests per second, median of '
           f'{e(meta.get("reps", "?"))} x {e(meta.get("duration", "?"))} s (higher is better)</text>',
           f'<text x="{left}" y="44" fill="#555">{e(meta.get("date", ""))}, {e(meta.get("nproc", "?"))} CPUs '
           f'({e(meta.get("cpu", ""))}); proxies on CPU 0, origin and wrk on CPU 1; each panel has its own scale</text>']
    plot_h = ph - 60
    for i, (wl, _, short) in enumerate(WORKLOADS):
        x0 = left + i * (pw + gap)
        y0 = top + 10
        cs = cells(rows, "main", wl, "server")
        vals = {s: cs[s].rps for s in present if s in cs and cs[s].rps is not None}
        vmax, step = nice_max(max(vals.values(), default=0) * 1.08)
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 2}" text-anchor="middle" font-weight="bold">{e(short)}</text>')
        base_y = y0 + 10 + plot_h
        t = 0.0
        while t <= vmax + 1e-9:
            y = base_y - plot_h * t / vmax
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#e0e0e0"/>')
            out.append(f'<text x="{x0 - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555" font-size="10">{fmt_axis(t)}</text>')
            t += step
        out.append(f'<line x1="{x0}" y1="{base_y}" x2="{x0 + pw}" y2="{base_y}" stroke="#333"/>')
        n = max(len(present), 1)
        slot = pw / n
        bw = slot * 0.72
        for j, s in enumerate(present):
            bx = x0 + j * slot + (slot - bw) / 2
            c = cs.get(s)
            if s not in vals:
                out.append(f'<text x="{bx + bw / 2:.1f}" y="{base_y - 4}" text-anchor="middle" fill="#b00" font-size="10">n/a</text>')
                continue
            h = plot_h * vals[s] / vmax
            warn = c is not None and c.non2xx > 0
            out.append(f'<rect x="{bx:.1f}" y="{base_y - h:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{COLORS[s]}">'
                       f'<title>{e(LABELS[s])}: {vals[s]:,.0f} req/s</title></rect>')
            label = f_rps(vals[s]) + (" ⚠" if warn else "")
            fill = "#b00" if warn else "#000"
            out.append(f'<text x="{bx + bw / 2:.1f}" y="{base_y - h - 4:.1f}" text-anchor="middle" font-size="9" '
                       f'fill="{fill}">{e(label)}</text>')
    ly = top + ph + 12
    lx = left
    for s in SERVERS:
        status = meta.get(f"status.{s}", "not run")
        text = LABELS[s] + ("" if status == "ok" else f" ({status.split(':')[0]})")
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{COLORS[s] if status == "ok" else "#fff"}" '
                   f'stroke="{COLORS[s]}"/>')
        out.append(f'<text x="{lx + 17}" y="{ly}">{e(text)}</text>')
        lx += 30 + 7 * len(text)
    out.append(f'<text x="{left}" y="{ly + 26}" fill="#555" font-size="10">⚠ = some responses were not 2xx '
               f'(see the tables); bench/load/run.sh</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--meta", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--svg-link", required=True)
    a = ap.parse_args()
    rows = read_rows(a.csv)
    meta = read_meta(a.meta)
    if meta.get("servers"):
        SERVERS[:] = [s for s in meta["servers"].split() if s in LABELS]
    if meta.get("workloads"):
        chosen = meta["workloads"].split()
        WORKLOADS[:] = [w for w in ALL_WORKLOADS if w[0] in chosen]
    csv_name = a.svg_link[:-4] + ".csv"
    with open(a.md, "w") as f:
        f.write(markdown(rows, meta, a.svg_link, csv_name))
    with open(a.svg, "w") as f:
        f.write(svg(rows, meta))


if __name__ == "__main__":
    main()
