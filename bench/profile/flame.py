#!/usr/bin/env python3
"""Flame graphs and the where-the-CPU-goes table for bench/profile/profile.sh (standard library only).

  flame.py --run RUN --out DIR --day DAY --about TEXT [--agent-log FILE]
      reads RUN/phases.tsv and RUN/<workload>.collapsed (async-profiler's collapsed stacks, one
      "frame;frame;...;leaf COUNT" per line, the thread name as the root frame), writes
      DIR/profile-DAY-<workload>.svg and DIR/profile-DAY.md
  flame.py --classify FILE.collapsed
      prints each bucket's share of FILE's samples (to check the mapping by hand)

Each sample goes to one bucket: walk its stack from the leaf towards the root; the first frame that a rule in
RULES matches decides (rules are tried in order at each frame; a rule with an ancestor pattern matches only if a
frame nearer the root matches that too, so a SHA-256 under the audit chain and one under the relay differ). A
stack no rule matches is "other". JVM threads (GC, JIT compilers, the VM thread) go to "JVM (GC, JIT)" by their
thread name first (digits in thread names read N; Linux cuts names at 15 characters: "[CN CompilerThre]").
A bucket's CPU microseconds per request are its share of the samples times the Sluice process's CPU time
(from /proc, all threads) divided by the requests wrk got answered.
"""
import argparse
import html
import re
import sys
from collections import Counter, defaultdict

WORKLOADS = {"get": "GET /api/small (64 connections)", "post64k": "POST 64 KiB to /api/upload (32 connections)"}

SHA = r"^(sun\.security\.provider\.|java\.security\.MessageDigest|java\.util\.HexFormat)"
SYSCALL_JAVA = (r"^(io\.netty\.channel\.(epoll\.(Native|LinuxSocket)|unix\.(FileDescriptor|Socket))\.[a-z]\w*"
                r"|sun\.nio\.ch\.(\w*Dispatcher\w*|IOUtil|EPoll|FileChannelImpl|Net)\.\w+0?"
                r"|jdk\.internal\.misc\.Unsafe\.park|java\.lang\.Object\.wait)$")
SYSCALL_NATIVE = (r"^(__)?(libc_|GI___|GI_)?(read|write|writev|readv|pread64|pwrite64|send|sendto|sendmsg|recv|recvfrom"
                  r"|recvmsg|epoll_wait|epoll_pwait|epoll_ctl|fsync|fdatasync|futex\w*|syscall|close|accept4?|"
                  r"clock_gettime|nanosleep|pthread_cond_\w+|lll_\w+|sched_yield|ftruncate64|rename|fstat\w*|"
                  r"entry_SYSCALL_64\w*)(@@?GLIBC\S*)?$")

# (bucket, frame pattern, ancestor pattern or None); tried in this order at each frame, from the leaf up
RULES = [
    ("syscalls", r"_\[k\]$", None),
    ("syscalls", SYSCALL_JAVA, None),
    ("syscalls", SYSCALL_NATIVE, None),
    ("hash chain", SHA, r"^org\.sluice\.proxy\.audit\."),
    ("hash chain", r"^org\.sluice\.proxy\.audit\.(AuditChain|ChainLine|ChainPosition|SigningKeys)\.", None),
    ("body SHA-256", SHA, r"^org\.sluice\.proxy\.gateway\."),
    ("body SHA-256", r"^org\.sluice\.proxy\.gateway\.RequestDigests\.", None),
    ("audit encode", r"^org\.sluice\.proxy\.(audit\.|gateway\.(ExchangeRecorder|Json)\.)", None),
    ("policy", r"^org\.sluice\.policy\.", None),
    ("policy", r"^org\.sluice\.proxy\.(gateway\.(PolicyGate|BudgetGate|TaskAttribution)|budget\.|task\.)", None),
    # generic header and string helpers (DefaultHeaders, AsciiString, HttpHeaders) are no anchor: their caller decides
    ("parse", r"^io\.netty\.handler\.codec\.http\.(HttpObjectDecoder|HttpRequestDecoder|HttpResponseDecoder"
              r"|HttpServerCodec\$HttpServerRequestDecoder|HttpClientCodec\$Decoder|HttpHeaderValidationUtil"
              r"|QueryStringDecoder)", None),
    ("parse", r"^io\.netty\.handler\.codec\.ByteToMessageDecoder\.(decode|callDecode|cumulat)"
              r"|^io\.netty\.handler\.codec\.ByteToMessageDecoder\$\d", None),
    ("parse", r"^org\.sluice\.proxy\.gateway\.(RawHead|RequestHeadBytes|StrictRequestCheck|RequestIntake"
              r"|RequestHeadDeadline|RequestTargets|StrictServerCodec\$Strict|RequestHeadParser|RequestHead\."
              r"|StrictRequestDecoder)", None),
    ("metrics", r"^org\.sluice\.proxy\.metrics\.|^io\.prometheus\.|^io\.micrometer\.", None),
    ("relay", r"^org\.sluice\.proxy\.(gateway|upstream)\.", None),
    ("relay", r"^io\.netty\.handler\.codec\.(http\.HttpObjectEncoder|http\.HttpRequestEncoder|http\.HttpResponseEncoder"
              r"|MessageToMessageEncoder|MessageToByteEncoder)", None),
    # reading a byte or searching a buffer is no anchor either: the parser that reads decides
    ("relay", r"^io\.netty\.(buffer|channel)\.(?!.*EventLoop\.run)(?!.*IoHandler\.run)"
              r"(?!.*\.(getByte|_getByte|indexOf|forEachByte|forEachByteAsc0|firstIndexOf|checkIndex|checkIndex0"
              r"|ensureAccessible|isAccessible)$)", None),
]
JVM_THREAD = r"^\[(GC |GN |CN |VM |Compiler|Sweeper|Service|Signal|Common-Cleaner|Reference|Finalizer|Attach|Notification)"
ORDER = ["parse", "policy", "relay", "audit encode", "hash chain", "body SHA-256", "syscalls", "metrics",
         "JVM (GC, JIT)", "other"]
COLOURS = {"parse": "#e6a532", "policy": "#4c9be8", "relay": "#5cb85c", "audit encode": "#b07cd8",
           "hash chain": "#d9534f", "body SHA-256": "#f08080", "syscalls": "#8c8c8c", "metrics": "#20b2aa",
           "JVM (GC, JIT)": "#c8b560", "other": "#d0d0d0"}
COMPILED = [(b, re.compile(p), re.compile(a) if a else None) for b, p, a in RULES]
JVM_RE = re.compile(JVM_THREAD)


def norm(frame, root):
    """Dotted Java names; thread roots without their ids and numbers (so the event loops merge)."""
    if root:
        return re.sub(r"\d+", "N", re.sub(r" tid=\d+", "", frame))
    return frame.replace("/", ".") if not frame.endswith("_[k]") else frame


def read_collapsed(path):
    stacks = Counter()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            frames = [norm(fr, i == 0 and fr.startswith("[")) for i, fr in enumerate(frames)]
            stacks[tuple(frames)] += int(count)
    return stacks


def classify(frames):
    """The bucket of a stack (root first, leaf last)."""
    if frames and JVM_RE.match(frames[0]):
        return "JVM (GC, JIT)"
    for i in range(len(frames) - 1, -1, -1):
        for bucket, pat, anc in COMPILED:
            if pat.search(frames[i]) and (anc is None or any(anc.search(f) for f in frames[:i])):
                return bucket
    return "other"


def shares(stacks):
    by = Counter()
    for frames, n in stacks.items():
        by[classify(frames)] += n
    return by


def top_self(stacks, n=8):
    leaf = Counter()
    for frames, c in stacks.items():
        leaf[frames[-1]] += c
    return leaf.most_common(n)


# ---- flame graph ------------------------------------------------------------------------------------------------

def build_tree(stacks):
    root = {"n": 0, "kids": {}}
    for frames, c in stacks.items():
        node = root
        root["n"] += c
        for fr in frames:
            node = node["kids"].setdefault(fr, {"n": 0, "kids": {}})
            node["n"] += c
    return root


def svg(stacks, title, subtitle, legend):
    width, row, pad, top = 1200, 16, 10, 74
    tree = build_tree(stacks)
    total = tree["n"] or 1
    scale = (width - 2 * pad) / total

    def depth(node):
        return 1 + max((depth(k) for k in node["kids"].values()), default=0)
    rows = depth(tree)
    height = top + rows * row + pad
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Verdana, sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="16">{html.escape(title)}</text>',
           f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#555">{html.escape(subtitle)}</text>']
    x = pad
    for bucket, text in legend:
        out.append(f'<rect x="{x}" y="48" width="12" height="12" fill="{COLOURS[bucket]}"/>')
        out.append(f'<text x="{x + 16}" y="58">{html.escape(text)}</text>')
        x += 22 + 6.6 * len(text)

    def walk(node, path, x0, level):
        x = x0
        for name, kid in sorted(node["kids"].items()):
            w = kid["n"] * scale
            kpath = path + (name,)
            if w >= 0.3:
                y = height - pad - (level + 1) * row
                bucket = classify(kpath) if level > 0 or not name.startswith("[") else "other"
                pct = 100.0 * kid["n"] / total
                label = f"{name} ({kid['n']} samples, {pct:.2f}%, {bucket})"
                out.append(f'<g><title>{html.escape(label)}</title><rect x="{x:.2f}" y="{y}" width="{w:.2f}" '
                           f'height="{row - 1}" fill="{COLOURS[bucket]}" rx="2"/>')
                chars = int((w - 6) / 6.6)
                if chars >= 3:
                    text = name if len(name) <= chars else name[:chars - 2] + ".."
                    out.append(f'<text x="{x + 3:.2f}" y="{y + row - 4}">{html.escape(text)}</text>')
                out.append("</g>")
                walk(kid, kpath, x, level + 1)
            x += w
    walk(tree, (), pad, 0)
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---- report -----------------------------------------------------------------------------------------------------

def read_phases(path):
    phases = {}
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 10:
                continue
            phases[p[0]] = {"requests": int(p[1]), "duration_s": int(p[2]) / 1e6, "cpu_s": float(p[3]),
                            "non2xx": int(p[4]), "errors": int(p[5]), "p50_ms": float(p[6]) / 1000,
                            "p99_ms": float(p[7]) / 1000, "other_cpu_s": float(p[8]), "conns": int(p[9])}
    return phases


def report(args):
    phases = read_phases(f"{args.run}/phases.tsv")
    results = {}
    for wl in WORKLOADS:
        if wl not in phases:
            continue
        stacks = read_collapsed(f"{args.run}/{wl}.collapsed")
        ph = phases[wl]
        by = shares(stacks)
        total = sum(by.values()) or 1
        per_req_us = ph["cpu_s"] / ph["requests"] * 1e6 if ph["requests"] else 0.0
        results[wl] = (ph, by, total, per_req_us, stacks)
        legend = [(b, f"{b} {100.0 * by[b] / total:.0f}%") for b in ORDER if by[b]]
        rps = ph["requests"] / ph["duration_s"] if ph["duration_s"] else 0
        sub = (f"{args.day}: {total} samples, {ph['requests']} requests at {rps:,.0f} req/s, Sluice CPU "
               f"{per_req_us:.1f} µs per request; colours: where bench/profile/flame.py puts each frame's own time")
        with open(f"{args.out}/profile-{args.day}-{wl}.svg", "w", encoding="utf-8") as f:
            f.write(svg(stacks, f"Sluice CPU profile: {WORKLOADS[wl]}", sub, legend))
    warnings = []
    if args.agent_log:
        try:
            with open(args.agent_log, errors="replace") as f:
                warnings = sorted({ln.strip() for ln in f if "WARN" in ln or "rror" in ln})
        except OSError:
            pass
    md = [f"# Where the CPU goes: a proxied GET and a 64 KiB POST ({args.day})", "",
          "CPU profiles of one Sluice under load, made by `bench/profile/profile.sh` (async-profiler, CPU samples of "
          "every thread of the Sluice JVM), classified by `bench/profile/flame.py`. What the buckets hold, how to run "
          "it and what the numbers say: [docs/performance.md](../../docs/performance.md#where-the-cpu-goes).", "",
          f"Setup: {args.about}.", ""]
    md += ["Flame graphs (hover a frame for its samples and bucket): " +
           ", ".join(f"[{WORKLOADS[wl]}](profile-{args.day}-{wl}.svg)" for wl in results), ""]
    head = "| | " + " | ".join(f"{WORKLOADS[wl]} µs/request | share" for wl in results) + " |"
    md += [head, "|---|" + "---:|---:|" * len(results)]
    for b in ORDER:
        if not any(r[1][b] for r in results.values()):
            continue
        cells = []
        for ph, by, total, per, _ in results.values():
            cells.append(f"{per * by[b] / total:.1f} | {100.0 * by[b] / total:.1f}%")
        md.append(f"| {b} | " + " | ".join(cells) + " |")
    md.append("| **total (Sluice process CPU / requests)** | " +
              " | ".join(f"**{r[3]:.1f}** | 100%" for r in results.values()) + " |")
    md += ["", "| run | requests | seconds | req/s | p50 ms | p99 ms | non-2xx | socket errors | Sluice CPU s "
           "| other processes' CPU s | samples | samples / expected |", "|---|" + "---:|" * 11]
    for wl, (ph, by, total, per, _) in results.items():
        expected = ph["cpu_s"] * 1e9 / args.interval
        md.append(f"| {WORKLOADS[wl]} | {ph['requests']} | {ph['duration_s']:.1f} | "
                  f"{ph['requests'] / ph['duration_s']:,.0f} | {ph['p50_ms']:.2f} | {ph['p99_ms']:.2f} | "
                  f"{ph['non2xx']} | {ph['errors']} | {ph['cpu_s']:.2f} | {ph['other_cpu_s']:.2f} | {total} | "
                  f"{total / expected:.2f} |" if expected else "")
    md += ["", "(samples / expected: the samples the profiler recorded over the Sluice process's CPU time divided by "
           "the sampling interval; near 1 means the profile covers the CPU time the µs column spreads.)", ""]
    for wl, (_, _, total, _, stacks) in results.items():
        md += [f"Hottest frames by own time, {WORKLOADS[wl]}:", "", "| frame | bucket | share |", "|---|---|---:|"]
        for frame, n in top_self(stacks):
            # the bucket most of this frame's own samples went to (one leaf can sit under several callers)
            where = Counter()
            for fr, c in stacks.items():
                if fr[-1] == frame:
                    where[classify(fr)] += c
            bucket = where.most_common(1)[0][0]
            md.append(f"| `{frame}` | {bucket} | {100.0 * n / total:.1f}% |")
        md.append("")
    if warnings:
        md += ["The profiler said:", ""] + [f"- `{w}`" for w in warnings] + [""]
    with open(f"{args.out}/profile-{args.day}.md", "w", encoding="utf-8") as f:
        f.write("\n".join(md))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run")
    ap.add_argument("--out")
    ap.add_argument("--day")
    ap.add_argument("--about", default="")
    ap.add_argument("--agent-log")
    ap.add_argument("--interval", type=int, default=1000000)
    ap.add_argument("--classify")
    args = ap.parse_args(argv[1:])
    if args.classify:
        by = shares(read_collapsed(args.classify))
        total = sum(by.values()) or 1
        for b in ORDER:
            print(f"{b:15} {by[b]:8d} {100.0 * by[b] / total:6.1f}%")
        return 0
    if not (args.run and args.out and args.day):
        ap.error("--run, --out and --day are needed (or --classify FILE)")
    report(args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
