#!/usr/bin/env python3
"""Load on the live preview: wrk against `mend serve`, alone and with slowloris clients.

Each run starts a fresh `mend serve` of the knowledge base in ROOT on a free
127.0.0.1 port, points wrk at one article page (keep-alive GETs from
--connections connections), and reads the server's peak resident memory
(VmHWM in /proc/PID/status) when wrk is done. With --slowloris N, N more
clients hold connections open sending one header byte every 5 s, and open a
new one whenever the server cuts one off (after its 10 s header timeout), so
the attack lasts the whole run. Every scenario runs --repeat times; the table
gives medians. Everything stays on loopback and stops by itself.

Usage:
  cargo build --release
  python3 benches/serve/load.py [--mend target/release/mend] [--root .]
                                [--connections 500] [--slowloris 200]
                                [--duration 20] [--repeat 3]

Needs wrk (Debian: apt-get install wrk). Prints a Markdown table.
"""
import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


def start_server(mend, root):
    child = subprocess.Popen(
        [mend, "serve", "--root", str(root), "-p", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = child.stdout.readline()
    match = re.match(r"serving http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        child.kill()
        sys.exit(f"mend serve did not start: {line!r}")
    return child, int(match.group(1))


def peak_rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Slowloris(threading.Thread):
    """N connections sending one header byte every 5 s; cut ones are replaced."""

    REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 64

    def __init__(self, port, clients):
        super().__init__(daemon=True)
        self.port, self.clients = port, clients
        self.stop = threading.Event()
        self.lifetimes = []  # seconds each cut-off connection lived

    def open(self):
        s = socket.create_connection(("127.0.0.1", self.port))
        s.setblocking(False)
        return [s, time.monotonic(), 0]

    def run(self):
        conns = [self.open() for _ in range(self.clients)]
        next_byte = time.monotonic()
        while not self.stop.is_set():
            now = time.monotonic()
            if now >= next_byte:
                for c in conns:
                    try:
                        c[0].send(self.REQUEST[c[2] % len(self.REQUEST):][:1])
                        c[2] += 1
                    except OSError:
                        pass
                next_byte = now + 5
            for i, c in enumerate(conns):
                try:
                    data = c[0].recv(1024)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.lifetimes.append(time.monotonic() - c[1])
                    c[0].close()
                    conns[i] = self.open()
                    conns[i][0].send(self.REQUEST[:1])
                    conns[i][2] = 1
            time.sleep(0.05)
        for c in conns:
            c[0].close()


def run_wrk(port, path, connections, duration):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def unit(value):
        number, suffix = re.match(r"([\d.]+)(\w+)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[suffix]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = unit(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = unit(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non2xx.group(1)) if non2xx else 0
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p50, p99, errors, requests


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mend", default="target/release/mend")
    ap.add_argument("--root", default=".")
    ap.add_argument("--connections", type=int, default=500)
    ap.add_argument("--slowloris", type=int, default=200)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    slug = sorted(Path(args.root, "articles").glob("*.md"))[0].stem
    path = f"/articles/{slug}/"
    rows = []
    for slow in (0, args.slowloris):
        runs = []
        cut = []
        for _ in range(args.repeat):
            child, port = start_server(args.mend, args.root)
            attack = None
            try:
                if slow:
                    attack = Slowloris(port, slow)
                    attack.start()
                    time.sleep(1)
                runs.append(run_wrk(port, path, args.connections, args.duration) + (peak_rss_mib(child.pid),))
                if attack:
                    attack.stop.set()
                    attack.join()
                    cut += attack.lifetimes
                if child.poll() is not None:
                    sys.exit("mend serve died under load")
            finally:
                child.kill()
                child.wait()
        med = [statistics.median(r[i] for r in runs) for i in range(6)]
        cut_text = f"{len(cut)} cut after {min(cut):.1f}-{max(cut):.1f} s" if cut else "-"
        rows.append((f"{args.connections} keep-alive" + (f" + {slow} slowloris" if slow else ""), *med, cut_text))
    print(f"\nwrk -t2 -c{args.connections} -d{args.duration}s --latency {path}, median of {args.repeat} runs\n")
    print("| load | requests/s | p50 ms | p99 ms | errors | requests | peak RSS MiB | slowloris connections |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, rps, p50, p99, errors, requests, rss, cut_text in rows:
        print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {errors:.0f} | {requests:,.0f} | {rss:.1f} | {cut_text} |")


if __name__ == "__main__":
    main()
