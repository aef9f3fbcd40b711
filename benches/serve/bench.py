#!/usr/bin/env python3
"""Save-to-reload latency of the live preview: mend serve, and Hugo's server.

For each edit the clock starts just before the article file is written and
stops when the server's live-reload WebSocket says "reload". Body edits change
one word in an article's text; title edits change its front-matter title (which
other pages show, so every page must be rebuilt).

Title edits also report the time until the home page (which lists every
title) shows the new title: mend reloads the edited page first and makes the
pages that list it right after; a request for one of those waits for it.

Usage:
  python3 benches/serve/bench.py --corpus DIR [--hugo-site DIR] [--hugo BIN]
                                 [--hugo-no-related] [--edits 20] [--settle 0.3]
                                 [--mend target/release/mend]

DIR is a mend project (e.g. from `cargo run --release --example corpus -- --articles
10000 --out DIR`); --hugo-site is a Hugo site holding the same articles under
content/articles/ (benches/build makes one under target/bench/hugo/). Everything
runs on 127.0.0.1 and stops by itself.
"""
import argparse
import base64
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebSocket:
    """The smallest client that reads a server's text frames."""

    def __init__(self, port, path, origin):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\n"
                f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket refused: {head[:80]!r}")

    def send_text(self, text):
        data = text.encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        n = len(data)
        header += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError("websocket closed")
            buf += chunk
        return buf

    def recv_text(self):
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = int.from_bytes(self._exact(2), "big")
            elif n == 127:
                n = int.from_bytes(self._exact(8), "big")
            payload = self._exact(n)
            if b0 & 0x0F == 1:
                return payload.decode()


def start(cmd, ready_pattern, timeout=600, env=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    start_time = time.time()
    lines = []
    while time.time() - start_time < timeout:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if re.search(ready_pattern, line):
            return proc, time.time() - start_time
    proc.kill()
    raise RuntimeError("server did not start:\n" + "".join(lines[-20:]))


def drain(proc):
    """Keep reading the server's output so its pipe never fills."""
    import threading

    def run():
        for _ in proc.stdout:
            pass

    threading.Thread(target=run, daemon=True).start()


def edit_body(path, i):
    text = path.read_text()
    head, sep, body = text.partition("\n---\n")
    body = re.sub(r" benchword\d+\.", "", body)
    path.write_text(head + sep + body.rstrip("\n") + f" benchword{i}.\n")


def edit_title(path, i):
    text = path.read_text()
    path.write_text(re.sub(r"^title: .*$", f'title: "Benchmark title {i}"', text, count=1, flags=re.M))


def measure(ws, wait_reload, files, edit, n, settle=0.3, then=None):
    """Save-to-reload times; with `then(i)`, also save-to-`then` times (a
    request made after the reload that must show the edit)."""
    times, after = [], []
    for i in range(n):
        path = files[i % len(files)]
        time.sleep(settle)
        t0 = time.perf_counter()
        edit(path, i)
        wait_reload(ws)
        times.append((time.perf_counter() - t0) * 1000)
        if then is not None:
            then(i)
            after.append((time.perf_counter() - t0) * 1000)
    return (times, after) if then is not None else times


def get(port, path):
    """A page's body, over one plain HTTP/1.1 request."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def summary(name, times):
    q = statistics.quantiles(times, n=20) if len(times) >= 2 else times * 19
    return f"{name:<28} p50 {statistics.median(times):8.1f} ms   p95 {q[18]:8.1f} ms   min {min(times):7.1f}   max {max(times):8.1f}   (n={len(times)})"


def bench_mend(args, corpus):
    port = free_port()
    proc, startup = start([args.mend, "serve", "--root", str(corpus), "-p", str(port)], r"serving http://")
    drain(proc)
    try:
        ws = WebSocket(port, "/__mend/livereload", f"http://127.0.0.1:{port}")

        def wait(ws):
            while ws.recv_text() not in ("reload", "css"):
                pass

        files = sorted((corpus / "articles").glob("*.md"))[1:50]
        originals = {p: p.read_text() for p in files}
        try:
            body = measure(ws, wait, files, edit_body, args.edits, settle=args.settle)

            # The home page lists every title: once it shows the new one,
            # every page that shows the title is current.
            def home_shows(i):
                if f"Benchmark title {i}" not in get(port, "/"):
                    raise RuntimeError(f"the home page after the reload lacks title {i}")

            title, whole = measure(ws, wait, files, edit_title, max(5, args.edits // 2),
                                   settle=args.settle, then=home_shows)
        finally:
            for p, text in originals.items():
                p.write_text(text)
        return startup, body, title, whole
    finally:
        proc.kill()
        proc.wait()


def bench_hugo(args, site):
    port = free_port()
    cmd = [args.hugo, "server", "-s", str(site), "--port", str(port), "--bind", "127.0.0.1"]
    # As in benches/build: --hugo-no-related turns off the site's related
    # articles, which Hugo computes in quadratic time.
    env = dict(os.environ, HUGO_PARAMS_BENCHNORELATED="true") if args.hugo_no_related else None
    proc, startup = start(cmd + ["--logLevel", "info"], r"(Web Server is available|http://127\.0\.0\.1:\d+)", env=env)
    drain(proc)
    try:
        ws = WebSocket(port, "/livereload", f"http://127.0.0.1:{port}")
        ws.send_text(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))

        def wait(ws):
            while True:
                message = ws.recv_text()
                try:
                    if json.loads(message).get("command") == "reload":
                        return
                except ValueError:
                    pass

        files = sorted((site / "content" / "articles").glob("*.md"))[1:50]
        originals = {p: p.read_text() for p in files}
        try:
            settle = max(args.settle, 0.6)
            body = measure(ws, wait, files, edit_body, args.edits, settle=settle)
            title = measure(ws, wait, files, edit_title, max(5, args.edits // 2), settle=settle)
        finally:
            for p, text in originals.items():
                p.write_text(text)
        return startup, body, title
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--hugo-site", type=Path)
    ap.add_argument("--hugo", default="hugo")
    ap.add_argument("--mend", default="target/release/mend")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--hugo-no-related", action="store_true",
                    help="turn off the Hugo site's related articles (as benches/build/run.sh does)")
    ap.add_argument("--settle", type=float, default=0.3,
                    help="seconds between one reload and the next save (mend's search index "
                         "catches up in this pause; a save during it waits for it)")
    args = ap.parse_args()
    n = len(list((args.corpus / "articles").glob("*.md")))
    print(f"corpus: {n} articles; {args.settle:.1f} s between edits; load average {os.getloadavg()[0]:.2f}")
    startup, body, title, whole = bench_mend(args, args.corpus)
    print(f"mend serve: first build and listen in {startup:.1f} s")
    print(summary("mend body edit", body))
    print(summary("mend title edit", title))
    # The reload comes once the edited page is ready; pages that list the
    # title are made next, and a request for one waits for them.
    print(summary("mend title edit, home page", whole))
    if args.hugo_site:
        h_startup, h_body, h_title = bench_hugo(args, args.hugo_site)
        print(f"hugo server: first build and listen in {h_startup:.1f} s")
        print(summary("hugo body edit", h_body))
        print(summary("hugo title edit", h_title))
        print(f"ratio mend/hugo (p50): body {statistics.median(body) / statistics.median(h_body):.3f}, "
              f"title {statistics.median(title) / statistics.median(h_title):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
