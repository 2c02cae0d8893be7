#!/usr/bin/env python3
"""The hostile corpus against Sluice, nginx, HAProxy and Squid, each a plain reverse proxy in front of its own
raw recording upstream on 127.0.0.1. See bench/hostile/README.md.

Standard library only (Python 3.11). Started by bench/hostile/run.sh, which owns the temporary folder.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import posixpath
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

# ------------------------------------------------------------------------------------------------------------
# limits (every wait in this program is bounded by one of these)

ANSWER_TIMEOUT = 3.0      # s: no byte from the proxy for this long after the last write: stop reading
GRACE = 0.25              # s: after the expected number of answers, wait this long for more
UPSTREAM_QUIET = 0.2      # s: the upstream is drained when it has received nothing for this long
UPSTREAM_DRAIN_MAX = 3.0  # s: ... or after this long
SPLIT_MAX = 4096          # cases up to this size are also sent in pieces
PIECES = 7
PIECE_GAP = 0.005         # s between two pieces (separate TCP segments)
START_TIMEOUT = 60.0      # s for a proxy to listen
MAX_RESPONSE_BYTES = 1 << 20

TCHAR = set(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
PROTOCOL_REFUSALS = {400}
SIZE_REFUSALS = {414, 431}
POLICY_REFUSALS = {403, 413}


# ------------------------------------------------------------------------------------------------------------
# corpus

@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    expected: tuple[int, ...]
    raw: bytes

    @property
    def klass(self) -> str:
        return self.name.split(":", 1)[0]


def unescape(text: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("latin-1")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        out.append({"r": 13, "n": 10, "t": 9, "\\": 92}[nxt])
        i += 2
    return bytes(out)


def load_corpus(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    for i, line in enumerate(lines):
        if line.startswith("== "):
            head = line[3:]
            bar = head.rindex(" | ")
            expected = tuple(int(s) for s in head[bar + 3:].split())
            cases.append(Case(head[:bar], expected, unescape(lines[i + 1])))
    return cases


# ------------------------------------------------------------------------------------------------------------
# a strict HTTP/1.1 request parser (RFC 9112, no leniency): what a careful origin would count

class NeedMore(Exception):
    pass


class Malformed(Exception):
    pass


@dataclasses.dataclass
class Request:
    start: int
    end: int
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    head_end: int

    def header(self, name: str) -> str | None:
        found = [v for n, v in self.headers if n.lower() == name]
        return found[-1] if found else None


def _line(buf: bytes, p: int) -> tuple[bytes, int]:
    i = buf.find(b"\r\n", p)
    if i < 0:
        if b"\n" in buf[p:] or b"\r" in buf[p:-1]:
            raise Malformed("bare CR or LF")
        raise NeedMore
    line = buf[p:i]
    if b"\r" in line or b"\n" in line or b"\x00" in line:
        raise Malformed("bare CR, LF or NUL in a line")
    return line, i + 2


def _field(line: bytes) -> tuple[str, str]:
    colon = line.find(b":")
    if colon <= 0 or any(b not in TCHAR for b in line[:colon]):
        raise Malformed(f"field line '{line[:40].decode('latin-1')}'")
    value = line[colon + 1:].strip(b" \t")
    if any((b < 0x20 and b != 9) or b == 0x7F for b in value):
        raise Malformed(f"control byte in the value of '{line[:colon].decode('latin-1')}'")
    return line[:colon].decode("ascii"), value.decode("latin-1")


CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})((?:[ \t]*;[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+"
                        rb"(?:[ \t]*=[ \t]*(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\"(?:[^\"\\\r\n]|\\.)*\"))?)*)")


def parse_request(buf: bytes, p: int) -> Request:
    """One request at buf[p:]; raises NeedMore when it is incomplete and Malformed when it is not HTTP/1.x."""
    start = p
    line, p = _line(buf, p)
    parts = line.split(b" ")
    if len(parts) != 3 or not parts[0] or not parts[1] or any(b not in TCHAR for b in parts[0]):
        raise Malformed(f"request line '{line[:60].decode('latin-1')}'")
    if parts[2] not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise Malformed(f"version '{parts[2][:20].decode('latin-1')}'")
    if any(b <= 0x20 or b >= 0x7F for b in parts[1]):
        raise Malformed("byte outside visible ASCII in the target")
    headers = []
    while True:
        line, p = _line(buf, p)
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            raise Malformed("obs-fold")
        headers.append(_field(line))
    version = parts[2].decode()
    req = Request(start, p, parts[0].decode(), parts[1].decode("ascii"), version, headers, b"", p)
    names = [n.lower() for n, _ in headers]
    for once in ("content-length", "transfer-encoding", "host"):
        if names.count(once) > 1:
            raise Malformed(f"two {once} fields")
    if version == "HTTP/1.1" and "host" not in names:
        raise Malformed("no Host in HTTP/1.1")
    length, coding = req.header("content-length"), req.header("transfer-encoding")
    if length is not None and coding is not None:
        raise Malformed("both Content-Length and Transfer-Encoding")
    if coding is not None:
        if coding.lower() != "chunked" or version != "HTTP/1.1":
            raise Malformed(f"Transfer-Encoding '{coding[:30]}'")
        body = bytearray()
        while True:
            line, p = _line(buf, p)
            m = CHUNK_SIZE.fullmatch(line)
            if not m:
                raise Malformed(f"chunk size line '{line[:40].decode('latin-1')}'")
            n = int(m.group(1), 16)
            if n == 0:
                while True:  # trailer section: fields, then an empty line
                    line, p = _line(buf, p)
                    if not line:
                        break
                    _field(line)
                break
            if p + n + 2 > len(buf):
                raise NeedMore
            body += buf[p:p + n]
            if buf[p + n:p + n + 2] != b"\r\n":
                raise Malformed("chunk data not followed by CRLF")
            p += n + 2
        req.body = bytes(body)
    elif length is not None:
        if not re.fullmatch(r"[0-9]{1,15}", length):
            raise Malformed(f"Content-Length '{length[:30]}'")
        n = int(length)
        if p + n > len(buf):
            raise NeedMore
        req.body = buf[p:p + n]
        p += n
    req.end = p
    return req


@dataclasses.dataclass(frozen=True)
class Sent:
    """A request the client sent: where it starts in the case's bytes, its method and target (None when even its
    request line is unreadable)."""
    start: int
    method: str | None
    target: str | None


def intended_requests(raw: bytes) -> list[Sent]:
    """The requests the client sent, as a strict reader frames its bytes, in order; the one a strict reader cannot
    frame is the last, its method and target read leniently (split at runs of whitespace)."""
    out: list[Sent] = []
    p = 0
    while p < len(raw):
        while raw.startswith(b"\r\n", p):  # RFC 9112 2.2: a server may ignore empty lines before a request
            p += 2
        if p >= len(raw):
            break
        try:
            req = parse_request(raw, p)
        except (Malformed, NeedMore):
            end = raw.find(b"\n", p)
            parts = re.split(rb"[ \t\x0b\x0c\r]+", raw[p:end if end >= 0 else len(raw)].strip())
            if len(parts) >= 2:
                out.append(Sent(p, parts[0].decode("latin-1"), parts[1].decode("latin-1")))
            else:
                out.append(Sent(p, None, None))
            break
        out.append(Sent(p, req.method, req.target))
        p = req.end
    return out


def normal_path(target: str) -> str:
    """The path a target names, as a proxy may rewrite it: origin-form, decoded, dot segments removed."""
    if "://" in target:
        target = urllib.parse.urlsplit(target).path or "/"
    path = urllib.parse.unquote(target.split("?", 1)[0].split("#", 1)[0]).replace("\\", "/")
    path = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    return path


# ------------------------------------------------------------------------------------------------------------
# the recording upstream: answers each strictly parsed request 200, a malformed stream 400 and close

OK_BODY = b"ok"


@dataclasses.dataclass
class Conn:
    number: int
    buf: bytearray = dataclasses.field(default_factory=bytearray)
    marks: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (offset, case label) as bytes came
    pos: int = 0                 # end of the last complete request
    error: str | None = None
    error_at: int = -1
    requests: list[Request] = dataclasses.field(default_factory=list)
    closed: bool = False

    def label_at(self, offset: int) -> str:
        label = ""
        for at, lab in self.marks:
            if at > offset:
                break
            label = lab
        return label


class RecordingUpstream:
    def __init__(self, name: str):
        self.name = name
        self.lock = threading.Lock()
        self.label = ""
        self.conns: list[Conn] = []
        self.last_byte = time.monotonic()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True, name=f"upstream-{name}").start()

    def _accept(self):
        while not self.stopping:
            try:
                s, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                conn = Conn(len(self.conns))
                self.conns.append(conn)
                self.last_byte = time.monotonic()
            threading.Thread(target=self._serve, args=(s, conn), daemon=True).start()

    def _serve(self, s: socket.socket, conn: Conn):
        s.settimeout(60)
        try:
            while not self.stopping:
                try:
                    data = s.recv(65536)
                except (socket.timeout, OSError):
                    break
                if not data:
                    break
                replies = []
                with self.lock:
                    self.last_byte = time.monotonic()
                    conn.marks.append((len(conn.buf), self.label))
                    conn.buf += data
                    if conn.error is not None:
                        continue
                    while conn.pos < len(conn.buf):
                        try:
                            req = parse_request(bytes(conn.buf), conn.pos)
                        except NeedMore:
                            if _expects_continue(conn.buf, conn.pos):
                                replies.append(b"HTTP/1.1 100 Continue\r\n\r\n")
                            break
                        except Malformed as e:
                            conn.error, conn.error_at = str(e), conn.pos
                            replies.append(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                                           b"Connection: close\r\n\r\n")
                            break
                        conn.requests.append(req)
                        conn.pos = req.end
                        close = _wants_close(req)
                        replies.append(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                                       + (b"Connection: close\r\n" if close else b"") + b"\r\n" + OK_BODY)
                        if close:
                            conn.error = "closed after Connection: close"
                            conn.error_at = -1
                            break
                for r in replies:
                    s.sendall(r)
                if conn.error is not None and replies:
                    break
        finally:
            with self.lock:
                conn.closed = True
                self.last_byte = time.monotonic()
            s.close()

    def set_label(self, label: str):
        with self.lock:
            self.label = label

    def drain(self):
        """Waits until nothing has arrived for UPSTREAM_QUIET (at most UPSTREAM_DRAIN_MAX)."""
        deadline = time.monotonic() + UPSTREAM_DRAIN_MAX
        while time.monotonic() < deadline:
            with self.lock:
                quiet = time.monotonic() - self.last_byte
            if quiet >= UPSTREAM_QUIET:
                return
            time.sleep(min(UPSTREAM_QUIET - quiet, 0.05) + 0.005)

    def received(self, label: str) -> "Received":
        """What arrived while `label` was the case being run: bytes, complete requests, malformed streams and
        incomplete tails (a request begun but not finished)."""
        got = Received()
        with self.lock:
            for c in self.conns:
                mine = [(at, i) for i, (at, lab) in enumerate(c.marks) if lab == label]
                if not mine:
                    continue
                for at, i in mine:
                    nxt = c.marks[i + 1][0] if i + 1 < len(c.marks) else len(c.buf)
                    got.chunks.append(bytes(c.buf[at:nxt]))
                for req in c.requests:
                    if c.label_at(req.start) == label:
                        got.requests.append(req)
                if c.error is not None and c.error_at >= 0 and c.label_at(c.error_at) == label:
                    got.malformed.append((c.error, bytes(c.buf[c.error_at:c.error_at + 120])))
                elif c.error is None and c.pos < len(c.buf) and c.label_at(c.pos) == label:
                    got.incomplete.append(bytes(c.buf[c.pos:c.pos + 80]))
        return got

    def close(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass


def _expects_continue(buf: bytearray, pos: int) -> bool:
    head_end = buf.find(b"\r\n\r\n", pos)
    return head_end >= 0 and b"\r\nexpect: 100-continue" in bytes(buf[pos:head_end]).lower()


def _wants_close(req: Request) -> bool:
    conn = (req.header("connection") or "").lower()
    if req.version == "HTTP/1.0":
        return "keep-alive" not in conn
    return "close" in conn


@dataclasses.dataclass
class Received:
    chunks: list[bytes] = dataclasses.field(default_factory=list)
    requests: list[Request] = dataclasses.field(default_factory=list)
    malformed: list[tuple[str, bytes]] = dataclasses.field(default_factory=list)  # (why, the request's bytes)
    incomplete: list[bytes] = dataclasses.field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return sum(len(c) for c in self.chunks)

    @property
    def requests_begun(self) -> int:
        """Complete requests plus every stream that carried bytes a strict parser could not make one of."""
        return len(self.requests) + len(self.malformed) + len(self.incomplete)


# ------------------------------------------------------------------------------------------------------------
# the client: one case on a fresh connection, the statuses it gets back

@dataclasses.dataclass
class Answer:
    statuses: list[int]
    closed: bool          # the proxy closed the connection
    timed_out: bool       # nothing more came within ANSWER_TIMEOUT and the connection was still open
    headless: bytes = b""  # bytes that are no HTTP/1.x response: an HTTP/0.9 answer (the body alone), HTTP/2 frames

    @property
    def count(self) -> int:
        """Answers the client got: final responses, plus one for an answer without a status line."""
        return len(self.statuses) + (1 if self.headless else 0)


def read_responses(s: socket.socket, want: int) -> Answer:
    buf = bytearray()
    statuses: list[int] = []
    closed = False
    timed_out = False
    p = 0
    deadline = time.monotonic() + ANSWER_TIMEOUT
    grace_until = None
    while True:
        # parse what we have
        while True:
            r = _parse_response(buf, p, closed)
            if r is None:
                break
            status, p = r
            if status >= 200:
                statuses.append(status)
            if len(statuses) >= want and grace_until is None:
                grace_until = time.monotonic() + GRACE
        if closed:
            break
        now = time.monotonic()
        limit = min(deadline, grace_until) if grace_until else deadline
        if now >= limit:
            timed_out = grace_until is None
            break
        ready, _, _ = select.select([s], [], [], limit - now)
        if not ready:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            closed = True
            continue
        buf += data
        deadline = time.monotonic() + ANSWER_TIMEOUT
        if len(buf) > MAX_RESPONSE_BYTES:
            break
    rest = bytes(buf[p:])
    headless = rest if rest and not rest.startswith(b"HTTP/") else b""
    return Answer(statuses, closed, timed_out and not statuses and not headless, headless)


def _parse_response(buf: bytearray, p: int, eof: bool) -> tuple[int, int] | None:
    head_end = buf.find(b"\r\n\r\n", p)
    if head_end < 0:
        return None
    head = bytes(buf[p:head_end]).decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/\d\.\d (\d{3})", head[0])
    if not m:
        return None
    status = int(m.group(1))
    fields = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    body = head_end + 4
    if status < 200 or status in (204, 304):
        return status, body
    if "chunked" in fields.get("transfer-encoding", "").lower():
        q = body
        while True:
            e = buf.find(b"\r\n", q)
            if e < 0:
                return None
            n = int(bytes(buf[q:e]).split(b";")[0] or b"0", 16)
            q = e + 2
            if n == 0:
                t = buf.find(b"\r\n\r\n", q - 2)
                return (status, t + 4) if t >= 0 else None
            q += n + 2
            if q > len(buf):
                return None
    if "content-length" in fields:
        n = int(fields["content-length"])
        return (status, body + n) if body + n <= len(buf) else None
    return (status, len(buf)) if eof else None  # read until close


def send_case(port: int, raw: bytes, pieces: int, want: int) -> Answer:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        step = max(1, -(-len(raw) // pieces))
        try:
            for at in range(0, len(raw), step):
                s.sendall(raw[at:at + step])
                if pieces > 1:
                    time.sleep(PIECE_GAP)
        except OSError:
            pass  # refused and closed before the rest was sent; its answer is still readable
        s.setblocking(False)
        return read_responses(s, want)
    finally:
        s.close()


# ------------------------------------------------------------------------------------------------------------
# what kind of leniency forwarding a case is: (kind, what RFC 9110/9112 say, case names it covers); first match wins

KINDS = [
    ("Content-Length and Transfer-Encoding together", "the classic smuggling vector (CL.TE / TE.CL). RFC 9112 "
     "6.3 lets a proxy drop Content-Length and re-frame by chunked, and then close the connection",
     r"^framing: (cl and te|te and cl)"),
    ("Transfer-Encoding other than exactly `chunked`", "coding names are case-insensitive, so `Chunked` may be "
     "read as chunked; `identity`, a trailing control byte or a list are TE obfuscation (smuggling vector)",
     r"^framing: (transfer-encoding|two te|te split|te on)"),
    ("Content-Length list, duplicate or malformed", "RFC 9112 6.3 lets a recipient accept a list of identical "
     "values as one; any other invalid value MUST be refused", r"^framing: (content-length|two content-length)"),
    ("obs-fold", "RFC 9112 5.2: a proxy MAY replace obs-fold with SP before forwarding (or refuse it)",
     r"^headers: obs-fold"),
    ("invalid field name", "not a token; whitespace before the colon MUST be refused (RFC 9112 5.1). nginx drops "
     "the field and forwards the rest (ignore_invalid_headers on), so the origin never sees it",
     r"^headers: header (space|tab) before colon|^headers: header .* in name$|^headers: header (empty name|no colon)"
     r"|^pipeline: malformed then allowed"),
    ("control byte in a field value", "NUL, CR and LF MUST be refused or replaced by SP (RFC 9110 5.5); other "
     "controls are invalid. Forwarded verbatim, the origin gets them", r"^headers: header .* in value$"),
    ("bare LF or CR as a line end", "RFC 9112 2.2: a recipient MAY take a bare LF as a line end; a bare CR MUST "
     "be refused or replaced by SP", r"^lines: "),
    ("request-line whitespace", "RFC 9112 3: a recipient MAY split the request line at any run of SP, HTAB, VT, FF "
     "or bare CR", r"^request-line: (tab|two spaces|leading space|trailing space|vertical tab|four parts)"),
    ("HTTP version", "a higher 1.x minor version is answered as 1.1 (RFC 9110 2.5); HTTP/0.9 is obsolete; "
     "anything else is invalid", r"^request-line: (no version|version|lower-case version)|^pipeline: allowed then "
     r"malformed"),
    ("request target and method", "absolute-form MUST be accepted by a server (RFC 9112 3.2.2); a fragment, "
     "control bytes and non-ASCII are invalid; `%2F` and `\\` are valid syntax but read two ways by path rules",
     r"^request-line: "),
    ("chunk syntax and trailers", "malformed chunk lines MUST be refused; trailer fields are allowed by RFC 9112 "
     "7.1.2 (Sluice refuses them: a place to carry data)", r"^chunked: "),
    ("Host", "RFC 9112 3.2: a server MUST answer 400 to two Host fields, none in HTTP/1.1, or an invalid one",
     r"^host: "),
    ("protocol upgrade", "a design choice: a generic proxy passes or strips Upgrade; through an egress filter a "
     "tunnel would escape the per-request rules", r"^upgrade: "),
    ("Connection naming a framing or routing header", "RFC 9110 7.6.1: a proxy removes the fields Connection "
     "names; one that removes Content-Length while still forwarding its body unframed lets the origin read that "
     "body as a request of its own (Sluice refuses the token: 400)", r"^connection: "),
    ("a request pipelined behind a 400", "after a 400 the framing of what follows cannot be trusted; Sluice "
     "closes after every 400, so nothing behind it is decided or forwarded",
     r"^pipeline: (allowed then connection|connect at|absolute-form at|fragment then|ambiguous path then"
     r"|unknown expectation then)"),
    ("over a size limit", "Sluice's defaults (8 KiB target, 16 KiB of header lines) against each proxy's own",
     r"^(headers: (very many headers|one huge header)|request-line: overlong target)"),
    ("other", "", r""),
]


def kind_of(case: "Case") -> tuple[str, str]:
    if any(s in SIZE_REFUSALS for s in case.expected):
        return KINDS[-2][0], KINDS[-2][1]
    for kind, stance, pattern in KINDS:
        if re.search(pattern, case.name):
            return kind, stance
    return KINDS[-1][0], ""


# ------------------------------------------------------------------------------------------------------------
# the proxies

@dataclasses.dataclass
class Proxy:
    name: str
    version: str
    port: int
    upstream: RecordingUpstream
    cmd: list[str]
    dir: Path
    settings: str
    proc: subprocess.Popen | None = None
    crashed_at: str | None = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text else "?"


def sluice_proxy(work: Path, jar: Path) -> Proxy:
    d = work / "sluice"
    d.mkdir()
    up = RecordingUpstream("sluice")
    port = free_port()
    # the policy of HostileCorpusE2ETest; every other setting is Sluice's default
    (d / "sluice.yaml").write_text(f"""version: 1
allowPrivate: [127.0.0.0/8]
gateway:
  listen: 127.0.0.1:{port}
  upstream: http://127.0.0.1:{up.port}
  timeouts: {{shutdownGrace: 1s}}
audit:
  path: {d}/audit.jsonl
rules:
  - name: small-upload
    methods: [POST]
    paths: ["/api/small"]
    limits: {{ maxRequestBodyBytes: 16 }}
  - name: api
    methods: [GET, POST, OPTIONS]
    paths: ["/api/**"]
""")
    java = shutil.which("java") or "java"
    return Proxy("Sluice", "git " + git_commit(), port, up,
                 [java, "-Xms128m", "-Xmx256m", "-jar", str(jar), "run", "--config", str(d / "sluice.yaml")], d,
                 "gateway listener, the policy of HostileCorpusE2ETest (GET/POST/OPTIONS /api/**, POST /api/small "
                 "up to 16 bytes), defaults otherwise")


def nginx_proxy(work: Path) -> Proxy:
    d = work / "nginx"
    d.mkdir()
    up = RecordingUpstream("nginx")
    port = free_port()
    (d / "nginx.conf").write_text(f"""daemon off;
master_process on;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/client_body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  upstream central {{
    server 127.0.0.1:{up.port};
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://central;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
""")
    return Proxy("nginx", first_line(["nginx", "-v"]).replace("nginx version: ", ""), port, up,
                 ["nginx", "-p", f"{d}/", "-e", f"{d}/error.log", "-c", f"{d}/nginx.conf"], d,
                 "proxy_pass to an upstream block with keepalive 16, proxy_http_version 1.1, "
                 "Connection \"\"; defaults otherwise (request buffering on, ignore_invalid_headers on)")


def haproxy_proxy(work: Path) -> Proxy:
    d = work / "haproxy"
    d.mkdir()
    up = RecordingUpstream("haproxy")
    port = free_port()
    (d / "haproxy.cfg").write_text(f"""global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
frontend fe
  bind 127.0.0.1:{port}
  default_backend central
backend central
  server central 127.0.0.1:{up.port}
""")
    version = first_line(["haproxy", "-v"]).replace("HAProxy version ", "").split(" - ")[0]
    return Proxy("HAProxy", version, port, up, ["haproxy", "-db", "-f", str(d / "haproxy.cfg")], d,
                 "mode http, one frontend, one server; defaults otherwise (keep-alive, http-reuse safe, "
                 "no option accept-invalid-http-request)")


def squid_proxy(work: Path) -> Proxy:
    d = work / "squid"
    d.mkdir()
    user = ""
    if os.geteuid() == 0:
        try:
            shutil.chown(d, "proxy", "proxy")
            user = "cache_effective_user proxy"
        except (LookupError, OSError):
            pass
    up = RecordingUpstream("squid")
    port = free_port()
    (d / "squid.conf").write_text(f"""{user}
workers 1
http_port 127.0.0.1:{port} accel defaultsite=central no-vhost
cache_peer 127.0.0.1 parent {up.port} 0 no-query no-digest no-netdb-exchange originserver name=central
cache_peer_access central allow all
never_direct allow all
http_access allow all
cache deny all
access_log stdio:{d}/access.log
cache_log {d}/cache.log
cache_store_log none
pid_filename {d}/squid.pid
coredump_dir {d}
netdb_filename none
logfile_rotate 0
pinger_enable off
icp_port 0
htcp_port 0
dns_nameservers 127.0.0.1
visible_hostname sluice-hostile-squid
shutdown_lifetime 1 seconds
""")
    version = first_line(["squid", "-v"]).replace("Squid Cache: Version ", "")
    return Proxy("Squid", version, port, up, ["squid", "-N", "-f", str(d / "squid.conf")], d,
                 "accel mode, one originserver cache_peer, cache deny all; defaults otherwise "
                 "(relaxed_header_parser on)")


def start(proxy: Proxy):
    out = open(proxy.dir / "stdout.log", "ab")
    err = open(proxy.dir / "stderr.log", "ab")
    proxy.proc = subprocess.Popen(proxy.cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=proxy.dir)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proxy.proc.poll() is not None:
            raise RuntimeError(f"{proxy.name} exited with {proxy.proc.returncode}: "
                               f"{(proxy.dir / 'stderr.log').read_text(errors='replace')[-400:]}")
        try:
            socket.create_connection(("127.0.0.1", proxy.port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proxy.name} did not listen on 127.0.0.1:{proxy.port} within {START_TIMEOUT:.0f} s")


def stop(proxy: Proxy):
    p = proxy.proc
    if p is None or p.poll() is not None:
        return
    p.terminate()
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=5)


def git_commit() -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "proxy", "policy"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return rev + ("+dirty" if dirty else "")


# ------------------------------------------------------------------------------------------------------------
# one run of one case against one proxy, and what it means

def refusal_kind(case: Case) -> str | None:
    """Why Sluice refuses part of a case: protocol, size or policy (its first refusal in the corpus); None if not."""
    for s in case.expected:
        if s in PROTOCOL_REFUSALS:
            return "protocol"
        if s in SIZE_REFUSALS:
            return "size"
        if s in POLICY_REFUSALS:
            return "policy"
    return None


@dataclasses.dataclass
class Outcome:
    case: Case
    mode: str                 # whole | split
    answer: Answer
    got: Received
    intended: list
    crashed: bool = False

    @property
    def sluice_forwards(self) -> int:
        return sum(1 for s in self.case.expected if 200 <= s < 300)

    @property
    def refusal_kind(self) -> str | None:
        return refusal_kind(self.case)

    @property
    def forwarded_refused(self) -> bool:
        """(a): the upstream got (bytes of) more requests than Sluice forwards for this case."""
        return self.refusal_kind is not None and self.got.requests_begun > self.sluice_forwards

    @property
    def unmatched(self) -> list[Request]:
        """Upstream requests that match no request the client sent (method and path, as a proxy may rewrite)."""
        pool = [(x.method, normal_path(x.target)) for x in self.intended if x.method is not None]
        extra = []
        for req in self.got.requests:
            key = (req.method, normal_path(req.target))
            if key in pool:
                pool.remove(key)
            else:
                extra.append(req)
        return extra

    @property
    def carved(self) -> list[Request]:
        """Upstream requests whose request line the client sent only inside another request (its body or a
        header), never where a request of its own starts: a smuggled request."""
        starts = {x.start for x in self.intended}
        out = []
        for req in self.unmatched:
            line = f"{req.method} {req.target} ".encode("latin-1")
            at = [m.start() for m in re.finditer(re.escape(line), self.case.raw)]
            if at and not starts.intersection(at):
                out.append(req)
        return out

    @property
    def rewritten(self) -> bool:
        """The proxy changed a request's method or path (beyond whitespace, dot segments and percent-encoding)."""
        return bool(self.unmatched) and not self.desync

    @property
    def desync(self) -> bool:
        """(b): the upstream parsed more requests than the client got answers, more than the client sent, or one
        carved out of another request."""
        n = len(self.got.requests)
        return n > self.answer.count or n > len(self.intended) or bool(self.carved)

    @property
    def hung(self) -> bool:
        """(c): no answer at all within the timeout, connection still open, or the proxy process died."""
        return self.answer.timed_out or self.crashed


def run_proxy(proxy: Proxy, cases: list[Case], split: bool, results: list[Outcome], log,
              stopping: threading.Event):
    for i, case in enumerate(cases):
        if stopping.is_set():
            return
        modes = [("whole", 1)] + ([("split", PIECES)] if split and len(case.raw) <= SPLIT_MAX else [])
        for mode, pieces in modes:
            label = f"{i}/{mode}"
            proxy.upstream.set_label(label)
            want = max(len(case.expected), len(intended_requests(case.raw)))
            try:
                answer = send_case(proxy.port, case.raw, pieces, want)
            except OSError as e:
                answer = Answer([], True, False)
                log(f"{proxy.name}: {case.name} ({mode}): connect failed: {e}")
            proxy.upstream.drain()
            proxy.upstream.set_label("")
            crashed = not proxy.alive()
            results.append(Outcome(case, mode, answer, proxy.upstream.received(label),
                                   intended_requests(case.raw), crashed))
            if crashed:
                proxy.crashed_at = proxy.crashed_at or f"{case.name} ({mode})"
                log(f"{proxy.name} is no longer running after {case.name} ({mode})")
                return


# ------------------------------------------------------------------------------------------------------------
# report

def esc(b: bytes, limit: int = 160) -> str:
    s = b[:limit].decode("latin-1")
    s = (s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
         .replace("|", "\\|").replace("`", "'"))
    s = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\xff]", lambda m: f"\\x{ord(m.group()):02x}", s)
    return s + ("..." if len(b) > limit else "")


BORING = re.compile(r"^(host|connection|x-forwarded-for|x-forwarded-proto|x-real-ip|via|surrogate-capability|"
                    r"cache-control|x-sluice-request-id|x-sluice-[a-z-]+|forwarded):", re.I)


def upstream_view(o: Outcome) -> str:
    parts = []
    for r in o.got.requests:
        extra = [f"{n}: {v}" for n, v in r.headers if not BORING.match(f"{n}:")]
        body = f" body {len(r.body)} B" if r.body else ""
        parts.append(f"`{esc(f'{r.method} {r.target} {r.version}'.encode('latin-1'), 80)}`"
                     + (f" [{esc('; '.join(extra).encode('latin-1'), 120)}]" if extra else "") + body)
    for why, head in o.got.malformed:
        parts.append(f"malformed ({esc(why.encode('latin-1'), 60)}): `{esc(head, 100)}`")
    for t in o.got.incomplete:
        parts.append(f"incomplete: `{esc(t, 80)}`")
    return "; ".join(parts) if parts else "nothing"


def client_view(a: Answer) -> str:
    s = " ".join(str(x) for x in a.statuses) or "-"
    if a.headless:
        s += f" + an answer without a status line (`{esc(a.headless, 30)}`)"
    if a.timed_out:
        s += " (no answer in %gs)" % ANSWER_TIMEOUT
    elif a.closed and not a.statuses:
        s += " (closed)"
    return s


def report(proxies: list[Proxy], skipped: dict[str, str], outcomes: dict[str, list[Outcome]], cases: list[Case],
           split: bool, elapsed: float) -> str:
    classes = list(dict.fromkeys(c.klass for c in cases))
    per_class = {k: sum(1 for c in cases if c.klass == k) for k in classes}
    proto_cases = [c for c in cases if refusal_kind(c) == "protocol"]
    size_cases = [c for c in cases if refusal_kind(c) == "size"]
    policy_cases = [c for c in cases if refusal_kind(c) == "policy"]

    def flagged(name: str, pred) -> set[str]:
        """Case names for which pred holds in any run (whole or split)."""
        return {o.case.name for o in outcomes.get(name, []) if pred(o)}

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Hostile corpus against other reverse proxies",
        "",
        f"Generated by `bench/hostile/run.sh` on {now}, Sluice commit {git_commit()}; "
        f"{len(cases)} cases of `proxy/src/test/resources/hostile/corpus.txt`, each sent on a fresh connection "
        + ("whole and, up to 4 KiB, split over 7 TCP writes" if split else "whole")
        + f"; every proxy in front of its own raw recording upstream on 127.0.0.1. Run time {elapsed:.0f} s.",
        "",
        "A case counts once in a column if any of its runs (whole or split) shows it. Columns:",
        "",
        f"- **(a) forwarded what Sluice refuses**: the upstream received bytes of more requests than Sluice forwards "
        f"for that case. Split by why Sluice refuses: *malformed* (400; {len(proto_cases)} cases), *size* "
        f"(414/431 over Sluice's default limits; {len(size_cases)} cases), *policy* (403/413 from the policy; "
        f"{len(policy_cases)} cases: a proxy with no policy forwards these by design, shown only for completeness).",
        "- **(b) desync**: the upstream's strict parser counted more requests than the proxy gave answers to the "
        "client, or more than the client sent, or one whose request line the client sent only inside another "
        "request (its body or a header): a smuggled request.",
        f"- **(c) no answer**: nothing within {ANSWER_TIMEOUT:g} s with the connection still open, or the process "
        "died (named below). An answer that is no HTTP/1.x response (an HTTP/0.9 body, HTTP/2 frames) counts as an "
        "answer and is shown in the list of cases.",
        "- **upstream malformed**: the upstream received bytes its strict HTTP/1.1 parser (RFC 9112, no leniency) "
        "rejects (or the start of a request it never finished): the proxy passed on something the origin reads "
        "differently or not at all.",
        "- **rewritten**: the upstream got the request with another method or path than the client sent (beyond "
        "whitespace, dot segments and percent-encoding), and no desync.",
        "",
        "| proxy | version | runs | (a) malformed | (a) size | (a) policy | (b) desync | (c) no answer | "
        "upstream malformed | rewritten |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in proxies:
        os_ = outcomes.get(p.name, [])
        a_proto = flagged(p.name, lambda o: o.forwarded_refused and o.refusal_kind == "protocol")
        a_size = flagged(p.name, lambda o: o.forwarded_refused and o.refusal_kind == "size")
        a_pol = flagged(p.name, lambda o: o.forwarded_refused and o.refusal_kind == "policy")
        b = flagged(p.name, lambda o: o.desync)
        c = flagged(p.name, lambda o: o.hung)
        mal = flagged(p.name, lambda o: bool(o.got.malformed or o.got.incomplete))
        rw = flagged(p.name, lambda o: o.rewritten)
        lines.append(f"| {p.name} | {p.version} | {len(os_)} | {len(a_proto)} / {len(proto_cases)} | "
                     f"{len(a_size)} / {len(size_cases)} | {len(a_pol)} / {len(policy_cases)} | {len(b)} | "
                     f"{len(c)} | {len(mal)} | {len(rw)} |")
    for name, why in skipped.items():
        lines.append(f"| {name} | skipped: {why} | | | | | | | | |")
    lines += ["", "Per corpus class (cases; a = (a) malformed + size, b, c):", "",
              "| class | cases | " + " | ".join(p.name for p in proxies) + " |",
              "|---|---:|" + "---|" * len(proxies)]
    for k in classes:
        cells = []
        for p in proxies:
            a = flagged(p.name, lambda o: o.case.klass == k and o.forwarded_refused
                        and o.refusal_kind in ("protocol", "size"))
            b = flagged(p.name, lambda o: o.case.klass == k and o.desync)
            c = flagged(p.name, lambda o: o.case.klass == k and o.hung)
            cells.append(f"a {len(a)}, b {len(b)}, c {len(c)}")
        lines.append(f"| {k} | {per_class[k]} | " + " | ".join(cells) + " |")
    lines += ["", "What kind of leniency (a) is, per kind of case (cases in (a) malformed or size, of the cases of "
              "that kind Sluice refuses as malformed or oversize):", "",
              "| kind | RFC 9110/9112, risk | " + " | ".join(p.name for p in proxies) + " |",
              "|---|---|" + "---:|" * len(proxies)]
    for kind, stance, _ in KINDS:
        of_kind = [c for c in proto_cases + size_cases if kind_of(c)[0] == kind]
        if not of_kind:
            continue
        cells = [str(len(flagged(p.name, lambda o: kind_of(o.case)[0] == kind and o.forwarded_refused
                                 and o.refusal_kind in ("protocol", "size")))) + f" / {len(of_kind)}"
                 for p in proxies]
        lines.append(f"| {kind} | {stance} | " + " | ".join(cells) + " |")
    lines += ["", "Settings (each the proxy's usual reverse-proxy form, its own temporary config):", ""]
    for p in proxies:
        lines.append(f"- {p.name}: {p.settings}.")
        if p.crashed_at:
            lines.append(f"  **The process died** after {p.crashed_at}; later cases were not run against it.")
    lines += ["", "## Cases flagged", "",
              "Every case that is in (a) malformed or size, (b), (c), upstream malformed (m) or rewritten (r) for "
              "some proxy: what "
              "the client got back and what the upstream received (request line, headers other than Host, "
              "Connection, Via and X-Forwarded-*, body size), from the whole run (the split run when only it is "
              "flagged).", ""]
    for case in cases:
        rows = []
        for p in proxies:
            runs = [o for o in outcomes.get(p.name, []) if o.case is case]
            bad = [o for o in runs if (o.forwarded_refused and o.refusal_kind in ("protocol", "size"))
                   or o.desync or o.hung or o.got.malformed or o.got.incomplete or o.rewritten]
            if not bad:
                continue
            o = next((x for x in runs if x in bad and x.mode == "whole"), bad[0])
            tags = []
            if any(x.forwarded_refused and x.refusal_kind in ("protocol", "size") for x in bad):
                tags.append("a")
            if any(x.desync for x in bad):
                tags.append("b")
            if any(x.hung for x in bad):
                tags.append("c")
            if any(x.got.malformed or x.got.incomplete for x in bad):
                tags.append("m")
            if any(x.rewritten for x in bad):
                tags.append("r")
            modes = "/".join(sorted({x.mode for x in bad}))
            rows.append(f"  - {p.name} [{','.join(tags)}; {modes}]: client got {client_view(o.answer)}; "
                        f"upstream got {upstream_view(o)}")
        if rows:
            lines.append(f"- **{case.name}** (Sluice: {' '.join(map(str, case.expected))}): "
                         f"`{esc(case.raw, 110)}`")
            lines += rows
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", required=True, type=Path, help="temporary folder (configs, logs)")
    ap.add_argument("--jar", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--proxies", default="sluice,nginx,haproxy,squid")
    ap.add_argument("--no-split", action="store_true", help="send each case whole only")
    ap.add_argument("--only", default="", help="run only cases whose name contains this")
    args = ap.parse_args()

    def log(msg: str):
        print(f"{time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    cases = [c for c in load_corpus(args.corpus) if args.only in c.name]
    wanted = [p.strip().lower() for p in args.proxies.split(",") if p.strip()]
    makers = {"sluice": lambda: sluice_proxy(args.work, args.jar), "nginx": lambda: nginx_proxy(args.work),
              "haproxy": lambda: haproxy_proxy(args.work), "squid": lambda: squid_proxy(args.work)}
    unknown = [name for name in wanted if name not in makers]
    if unknown:
        ap.error(f"unknown proxy {', '.join(unknown)}: choose from {', '.join(makers)}")
    proxies: list[Proxy] = []
    skipped: dict[str, str] = {}
    stopping = threading.Event()  # set on the way out: the case loops stop before their proxy does
    began = time.monotonic()
    try:
        for name in wanted:
            tool = "java" if name == "sluice" else name
            if shutil.which(tool) is None:
                skipped[name] = f"`{tool}` is not installed"
                log(f"skipping {name}: {tool} not installed")
                continue
            proxy = makers[name]()
            try:
                start(proxy)
            except RuntimeError as e:
                skipped[proxy.name] = f"did not start ({e})"
                log(f"skipping {proxy.name}: {e}")
                stop(proxy)
                proxy.upstream.close()
                continue
            proxies.append(proxy)
            log(f"{proxy.name} {proxy.version} on 127.0.0.1:{proxy.port} -> upstream 127.0.0.1:{proxy.upstream.port}")
        outcomes: dict[str, list[Outcome]] = {p.name: [] for p in proxies}
        threads = [threading.Thread(target=run_proxy,
                                    args=(p, cases, not args.no_split, outcomes[p.name], log, stopping),
                                    daemon=True, name=p.name) for p in proxies]
        log(f"{len(cases)} cases against {', '.join(p.name for p in proxies)} (in parallel, one upstream each)")
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        text = report(proxies, skipped, outcomes, cases, not args.no_split, time.monotonic() - began)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        summary = text.split("\n## Cases flagged")[0]
        print(summary)
        log(f"written {args.out}")
        sluice = next((p for p in proxies if p.name == "Sluice"), None)
        if sluice is not None:
            bad = [o for o in outcomes["Sluice"] if o.forwarded_refused
                   or o.desync or o.hung or o.got.malformed or list(o.answer.statuses) != list(o.case.expected)]
            for o in bad:
                log(f"SLUICE FINDING: {o.case.name} ({o.mode}): expected {list(o.case.expected)}, client got "
                    f"{client_view(o.answer)}; upstream got {upstream_view(o)}")
            return 1 if bad else 0
        return 0
    finally:
        stopping.set()
        for p in reversed(proxies):
            stop(p)
            p.upstream.close()


if __name__ == "__main__":
    sys.exit(main())
