#!/usr/bin/env python3
"""Bad clients for the soak: slowloris heads, trickled bodies, malformed and smuggling requests, oversize bodies,
denied paths and connection floods, against one Sluice gateway on 127.0.0.1, until the given number of seconds has
passed. Every loop is bounded by that deadline and by a count. Prints what it sent as one JSON line at the end."""
import json
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
SECONDS = float(sys.argv[2])
DEADLINE = time.monotonic() + SECONDS
counts = {}
lock = threading.Lock()


def count(kind, n=1):
    with lock:
        counts[kind] = counts.get(kind, 0) + n


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    s.settimeout(5)
    return s


def exchange(raw):
    try:
        with connect() as s:
            s.sendall(raw)
            s.recv(65536)
    except OSError:
        pass


def slowloris():
    held = []
    for _ in range(200):
        if time.monotonic() > DEADLINE:
            break
        try:
            s = connect()
            s.sendall(b"GET /api/small HTTP/1.1\r\nHost: s\r\nX-Slow: ")
            held.append(s)
            count("slowloris_opened")
        except OSError:
            count("slowloris_refused")
    while time.monotonic() < DEADLINE:
        for s in list(held):
            try:
                s.sendall(b"a")
            except OSError:
                held.remove(s)
                count("slowloris_closed_by_sluice")
        time.sleep(1)
    for s in held:
        s.close()


def trickle():
    while time.monotonic() < DEADLINE:
        try:
            with connect() as s:
                s.sendall(b"POST /api/results HTTP/1.1\r\nHost: s\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(30):
                    if time.monotonic() > DEADLINE:
                        count("trickle_open_at_end")
                        break
                    s.sendall(b"x")
                    time.sleep(0.5)
                else:
                    count("trickle_survived_15s")
        except OSError:
            count("trickle_cut")


MALFORMED = [
    b"POST /api/x HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n",
    b"GET /api/x HTTP/1.1\r\nHost: s\r\nX-A: a\r\n b\r\n\r\n",
    b"GET\t/api/x HTTP/1.1\r\nHost: s\r\n\r\n",
    b"GET /api/x HTTP/1.1\r\nHost: s\r\nHost: t\r\n\r\n",
    b"POST /api/x HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"GET /api/../../admin HTTP/1.1\r\nHost: s\r\n\r\n",
    b"\x16\x03\x01\x00\x05hello",
]


def malformed():
    i = 0
    while time.monotonic() < DEADLINE and i < 1_000_000:
        exchange(MALFORMED[i % len(MALFORMED)])
        count("malformed")
        i += 1


def oversize():
    body = b"x" * (2 << 20)
    while time.monotonic() < DEADLINE:
        exchange(b"POST /api/results HTTP/1.1\r\nHost: s\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        count("oversize")


def denied():
    while time.monotonic() < DEADLINE:
        exchange(b"GET /admin/export HTTP/1.1\r\nHost: s\r\n\r\n")
        count("denied")


def flood():
    while time.monotonic() < DEADLINE:
        opened = []
        for _ in range(300):
            try:
                opened.append(connect())
            except OSError:
                count("flood_refused")
        count("flood_connections", len(opened))
        time.sleep(0.5)
        for s in opened:
            s.close()


threads = [threading.Thread(target=f) for f in (slowloris, trickle, malformed, oversize, denied, flood)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(counts, sort_keys=True))
