#!/usr/bin/env python3
"""Hold N idle keep-alive connections to 127.0.0.1:PORT for a bounded time, then exit by itself.

  idle_conns.py PORT N HOLD_SECONDS [--silent]

Each connection sends one complete keep-alive request (GET /api/small) and reads its response, so it went
through the proxy's whole pipeline and is now an idle keep-alive connection; with --silent it sends nothing.
Prints "READY open=N answered=M failed=K" once all are set up (run.sh waits for that line), then holds them
until HOLD_SECONDS have passed since start or SIGTERM arrives, and closes them. Only 127.0.0.1 is ever contacted.
"""
import selectors
import signal
import socket
import sys
import time

REQUEST = b"GET /api/small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
SETUP_LIMIT_S = 120  # connecting and the first answers must not take longer than this


def main(argv):
    if len(argv) not in (4, 5) or (len(argv) == 5 and argv[4] != "--silent"):
        print(__doc__, file=sys.stderr)
        return 2
    port, count, hold = int(argv[1]), int(argv[2]), float(argv[3])
    silent = len(argv) == 5
    start = time.monotonic()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))

    socks, failed = [], 0
    for _ in range(count):
        if time.monotonic() - start > SETUP_LIMIT_S or stop:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            if not silent:
                s.sendall(REQUEST)
            s.setblocking(False)
            socks.append(s)
        except OSError as e:
            failed += 1
            s.close()
            if failed == 1:
                print(f"idle_conns: connect failed: {e}", file=sys.stderr)

    answered = 0
    if not silent:
        # read each response head (and its small body) without blocking on any one socket
        sel = selectors.DefaultSelector()
        pending = {}
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
            pending[s] = b""
        while pending and not stop and time.monotonic() - start < SETUP_LIMIT_S:
            for key, _ in sel.select(timeout=1):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:  # closed by the server
                    sel.unregister(s)
                    del pending[s]
                    failed += 1
                    continue
                buf = pending[s] + data
                head_end = buf.find(b"\r\n\r\n")
                if head_end < 0:
                    pending[s] = buf
                    continue
                length = 0
                for line in buf[:head_end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(buf) - head_end - 4 >= length:
                    sel.unregister(s)
                    del pending[s]
                    answered += 1 if buf.startswith(b"HTTP/1.1 2") or buf.startswith(b"HTTP/1.0 2") else 0
                else:
                    pending[s] = buf
        sel.close()

    print(f"READY open={len(socks)} answered={answered} failed={failed}", flush=True)
    while not stop and time.monotonic() - start < hold:
        time.sleep(0.5)
    for s in socks:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
