#!/usr/bin/env python3
"""The build benchmark's driver: mend against Hugo and Hugo + Pagefind.

Normally started by run.sh, which builds mend, installs Hugo and Pagefind and
passes their paths here; see README.md. Standard library only (Python 3.11).

For each corpus size it generates (or reuses) a deterministic corpus with
examples/corpus.rs, converts the same articles into a Hugo site, and times
whole processes with GNU time (`/usr/bin/time -f '%e %U %S %M'`): one warm-up
run of each tool, then --runs rounds of [mend full build, Hugo build, Pagefind
on Hugo's output] interleaved so that load from other processes hits all three
alike, then --runs no-change mend rebuilds into the existing output folder.
Earlier outputs are moved aside into WORK/trash, not deleted, until every
run is over (see `set_aside`).

It prints medians (with min-max), the per-stage timings mend prints under
MEND_LOG=debug, and a Markdown summary also written to WORK/results.md (raw
numbers in WORK/results.json).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

TIME = "/usr/bin/time"
STAGES = ["load", "parse", "link", "render", "search index", "write"]
SUMMARY_RE = re.compile(
    r"^built (\d+) articles?, (\d+) themes?, (\d+) pages? in (\d+) ms"
    r"(?: \(nothing changed since the last build\))?$",
    re.M,
)
STAGE_RE = re.compile(r"^  (\S.*?)\s+(\d+(?:\.\d+)?) ms$", re.M)
# The corpus generator writes each theme on one line of mend.yaml like this.
THEME_RE = re.compile(
    r'^  ([a-z0-9-]+): \{ title: "((?:[^"\\]|\\.)*)", description: "((?:[^"\\]|\\.)*)" \}$',
    re.M,
)


def log(msg: str = "") -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# Timing


@dataclass
class Run:
    wall: float  # seconds, elapsed real time
    user: float  # seconds
    sys: float  # seconds
    rss_kb: int  # peak resident set size of the largest process in the tree, KB
    extra: dict = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.sys


class Failed(Exception):
    pass


def timed(cmd: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[Run, str]:
    """Runs cmd under GNU time; returns the measurement and stdout+stderr."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        tpath = tf.name
    try:
        proc = subprocess.run(
            [TIME, "-f", "%e %U %S %M", "-o", tpath, *cmd],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise Failed(f"`{' '.join(cmd)}` exited with {proc.returncode}:\n{tail}")
        # GNU time may prefix "Command exited with non-zero status"; the figures are last.
        line = Path(tpath).read_text().strip().splitlines()[-1]
        wall, user, sys_, rss = line.split()
        return Run(float(wall), float(user), float(sys_), int(rss)), output
    finally:
        os.unlink(tpath)


def rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


TRASH: Path | None = None


def set_aside(path: Path) -> None:
    """Clear an output folder before a timed run by moving it into the trash
    folder (a rename: nothing is freed), which `empty_trash` deletes once
    every run is over. Deleting it would charge the next tool for the
    deletion: on a journal-less ext4 (this machine's) the kernel's inode
    allocator steps over every inode deleted in the last 30 s to 5 min, one
    by one, before it reuses one, so a build right after the deletion of a
    previous output of ~30,000 files spent seconds in the kernel (mend's
    write stage 0.6 to 4 s, Hugo's CPU time 18 to 27 s, between identical
    runs)."""
    if not path.exists() and not path.is_symlink():
        return
    if TRASH is None:
        rmtree(path)
        return
    TRASH.mkdir(parents=True, exist_ok=True)
    path.rename(TRASH / f"{len(list(TRASH.iterdir()))}-{path.name}")


# How long deleted inodes slow the allocator down (see `set_aside`): the
# kernel's window is 5 minutes while the inode table block is dirty.
TRASH_AGE_S = 300


def empty_trash() -> None:
    """Delete the trash, and note when (in WORK/trash-emptied) so that a
    run started soon after waits for the deletion to age first."""
    if TRASH is not None and TRASH.exists():
        rmtree(TRASH)
        (TRASH.parent / "trash-emptied").write_text(f"{datetime.datetime.now().timestamp()}\n")


def wait_for_deletions_to_age(work: Path) -> None:
    stamp = work / "trash-emptied"
    try:
        emptied = float(stamp.read_text().strip())
    except (OSError, ValueError):
        return
    left = TRASH_AGE_S - (datetime.datetime.now().timestamp() - emptied)
    if left > 0:
        log(f"  waiting {left:.0f} s: a previous run deleted its outputs {TRASH_AGE_S - left:.0f} s ago "
            "(see set_aside in bench.py)")
        time.sleep(left)


# ---------------------------------------------------------------------------
# Statistics and formatting


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], fmt: str) -> str:
    """`median (min–max)`, or just the value for one run."""
    m = format(med(values), fmt)
    if len(values) < 2:
        return m
    return f"{m} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def mb(kb: float) -> float:
    return kb / 1024.0


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}×"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Corpora


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_for(args, n: int) -> Path:
    """WORK/corpus/nN-sS, generated unless a complete one with the same stamp exists."""
    corpus = args.work / "corpus" / f"n{n}-s{args.seed}"
    stamp_path = corpus / ".bench-corpus.json"
    stamp = {
        "articles": n,
        "seed": args.seed,
        "generator_sha256": sha256_file(args.repo / "examples" / "corpus.rs"),
    }
    articles = corpus / "articles"
    if (
        stamp_path.is_file()
        and json.loads(stamp_path.read_text()) == stamp
        and (corpus / "mend.yaml").is_file()
        and articles.is_dir()
        and sum(1 for p in articles.iterdir() if p.suffix == ".md") == n
    ):
        log(f"  corpus: reusing {corpus}")
        return corpus
    log(f"  corpus: generating {n} articles (seed {args.seed}) into {corpus}")
    stamp_path.unlink(missing_ok=True)
    corpus.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [str(args.corpus_bin), "--articles", str(n), "--out", str(corpus),
         "--seed", str(args.seed), "--force"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if proc.returncode != 0:
        raise Failed(f"corpus generator failed:\n{proc.stdout}")
    log("  corpus: " + proc.stdout.strip().splitlines()[-1])
    stamp_path.write_text(json.dumps(stamp) + "\n")
    return corpus


def hugo_site_for(args, n: int, corpus: Path) -> Path:
    """WORK/hugo/nN-sS: hugo-site/ config and layouts plus the corpus as content.

    Articles are hard-linked (copied where linking fails) to
    content/articles/<slug>.md; each theme of mend.yaml becomes
    content/themes/<id>/_index.md with its title and description. Content is
    rebuilt only when the corpus changed; config and layouts always.
    """
    site = args.work / "hugo" / f"n{n}-s{args.seed}"
    content = site / "content"
    stamp_path = site / ".bench-content.json"
    stamp = (corpus / ".bench-corpus.json").read_text()
    if not (stamp_path.is_file() and stamp_path.read_text() == stamp and content.is_dir()):
        log(f"  hugo: converting the corpus into {site}")
        stamp_path.unlink(missing_ok=True)
        rmtree(content)
        dest = content / "articles"
        dest.mkdir(parents=True)
        count = 0
        for src in sorted((corpus / "articles").iterdir()):
            if src.suffix != ".md":
                continue
            try:
                os.link(src, dest / src.name)
            except OSError:
                shutil.copyfile(src, dest / src.name)
            count += 1
        (dest / "_index.md").write_text('---\ntitle: "All articles"\n---\n')
        config = (corpus / "mend.yaml").read_text()
        for tid, title, desc in THEME_RE.findall(config):
            tdir = content / "themes" / tid
            tdir.mkdir(parents=True)
            (tdir / "_index.md").write_text(
                f'---\ntitle: "{title}"\ndescription: "{desc}"\n---\n'
            )
        (content / "themes" / "_index.md").parent.mkdir(parents=True, exist_ok=True)
        (content / "themes" / "_index.md").write_text('---\ntitle: "Themes"\n---\n')
        stamp_path.write_text(stamp)
        log(f"  hugo: {count} articles, {len(THEME_RE.findall(config))} theme pages")
    skeleton = args.here / "hugo-site"
    shutil.copyfile(skeleton / "hugo.yaml", site / "hugo.yaml")
    rmtree(site / "layouts")
    shutil.copytree(skeleton / "layouts", site / "layouts")
    return site


def count_html(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html"))


# ---------------------------------------------------------------------------
# The tools


def mend_run(args, corpus: Path, out: Path, fresh: bool) -> Run:
    if fresh:
        set_aside(out)
    env = dict(os.environ, MEND_LOG="debug")
    run, output = timed([str(args.mend), "build", "--root", str(corpus), "-o", str(out)], env=env)
    m = SUMMARY_RE.search(output)
    if not m:
        raise Failed(f"no summary line in mend's output:\n{output}")
    run.extra["articles"], run.extra["themes"], run.extra["pages"] = map(int, m.groups()[:3])
    run.extra["self_ms"] = int(m.group(4))
    run.extra["stages"] = {name: float(ms) for name, ms in STAGE_RE.findall(output[m.end():])}
    return run


def hugo_run(args, site: Path, out: Path) -> Run:
    set_aside(out)
    env = dict(os.environ, HUGO_CACHEDIR=str(args.work / "hugo" / "cache"))
    env.pop("HUGO_ENVIRONMENT", None)
    env.pop("HUGO_PARAMS_BENCHNORELATED", None)
    if args.hugo_no_related:
        env["HUGO_PARAMS_BENCHNORELATED"] = "true"
    run, _ = timed(
        [str(args.hugo), "--quiet", "-s", str(site), "-d", str(out), "--minify=false"], env=env
    )
    run.extra["pages"] = count_html(out)
    return run


def pagefind_run(args, out: Path) -> Run:
    env = dict(os.environ, npm_config_update_notifier="false")
    run, output = timed(["npx", "--no", "--", "pagefind", "--site", str(out)], env=env,
                        cwd=args.here)
    m = re.search(r"Indexed (\d+) pages?", output)
    run.extra["pages"] = int(m.group(1)) if m else None
    m = re.search(r"Finished in (\d+(?:\.\d+)?) seconds", output)
    run.extra["self_s"] = float(m.group(1)) if m else None
    return run


# ---------------------------------------------------------------------------
# One corpus size


@dataclass
class SizeResult:
    size: int
    mend: list[Run] = field(default_factory=list)
    rebuild: list[Run] = field(default_factory=list)
    hugo: list[Run] = field(default_factory=list)
    pagefind: list[Run] = field(default_factory=list)
    hugo_note: str | None = None
    pagefind_note: str | None = None
    load_before: str = ""


def show(label: str, run: Run, extra: str = "") -> None:
    log(f"    {label:<24} wall {run.wall:7.2f} s  cpu {run.cpu:7.2f} s  "
        f"rss {mb(run.rss_kb):7.1f} MB{extra}")


def bench_size(args, n: int) -> SizeResult:
    res = SizeResult(n, load_before=loadavg())
    log(f"\n== {n:,} articles (load average {res.load_before})")
    corpus = corpus_for(args, n)
    outs = args.work / "out"
    mend_out = outs / f"mend-n{n}"
    hugo_out = outs / f"hugo-n{n}"

    hugo_site = None
    if args.hugo:
        try:
            hugo_site = hugo_site_for(args, n, corpus)
        except (OSError, Failed) as e:
            res.hugo_note = f"Hugo site not made: {e}"
            log(f"  {res.hugo_note}")
    elif args.hugo_skip:
        res.hugo_note = args.hugo_skip
    if not args.pagefind:
        res.pagefind_note = args.pagefind_skip or "skipped"

    def do_hugo(label: str) -> Run | None:
        nonlocal hugo_site
        if hugo_site is None:
            return None
        try:
            run = hugo_run(args, hugo_site, hugo_out)
        except Failed as e:
            res.hugo_note = f"Hugo failed: {e}"
            log(f"  {res.hugo_note}")
            hugo_site = None
            return None
        show(label, run, f"  pages {run.extra['pages']}")
        return run

    def do_pagefind(label: str) -> Run | None:
        if hugo_site is None or not args.pagefind or res.pagefind_note:
            return None
        try:
            run = pagefind_run(args, hugo_out)
        except Failed as e:
            res.pagefind_note = f"Pagefind failed: {e}"
            log(f"  {res.pagefind_note}")
            return None
        self_s = run.extra["self_s"]
        show(label, run, f"  pages {run.extra['pages']}"
             + (f"  (pagefind's own time {self_s:.2f} s)" if self_s is not None else ""))
        return run

    log("  warm-up (not counted)")
    show("mend build", mend_run(args, corpus, mend_out, fresh=True))
    if do_hugo("hugo") is not None:
        do_pagefind("pagefind")

    for i in range(1, args.runs + 1):
        log(f"  run {i}/{args.runs}")
        run = mend_run(args, corpus, mend_out, fresh=True)
        show("mend build", run, f"  pages {run.extra['pages']}")
        res.mend.append(run)
        h = do_hugo("hugo")
        if h is not None:
            res.hugo.append(h)
            p = do_pagefind("pagefind")
            if p is not None:
                res.pagefind.append(p)

    log("  no-change rebuilds (same output folder, nothing changed)")
    for i in range(1, args.runs + 1):
        run = mend_run(args, corpus, mend_out, fresh=False)
        show(f"mend rebuild {i}/{args.runs}", run)
        res.rebuild.append(run)

    # A failure part-way leaves unpaired runs; keep only complete rounds.
    if res.hugo_note and "failed" in res.hugo_note:
        res.hugo, res.pagefind = [], []
    if res.pagefind_note or len(res.pagefind) != len(res.hugo):
        res.pagefind = []
    print_size(res)
    return res


# ---------------------------------------------------------------------------
# Reporting


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return f"load average: {loadavg()}"


def pair_totals(res: SizeResult) -> tuple[list[float], list[float], list[float]]:
    """Per round: Hugo + Pagefind wall and CPU summed, peak RSS the larger."""
    walls = [h.wall + p.wall for h, p in zip(res.hugo, res.pagefind)]
    cpus = [h.cpu + p.cpu for h, p in zip(res.hugo, res.pagefind)]
    rss = [max(h.rss_kb, p.rss_kb) for h, p in zip(res.hugo, res.pagefind)]
    return walls, cpus, rss


def print_size(res: SizeResult) -> None:
    m = res.mend
    walls = [r.wall for r in m]
    pages = m[-1].extra["pages"]
    log(f"  -- {res.size:,} articles, medians of {len(m)} run(s) (min–max):")
    log(f"     mend      wall {spread(walls, '.2f')} s, cpu {spread([r.cpu for r in m], '.2f')} s, "
        f"peak RSS {spread([mb(r.rss_kb) for r in m], '.1f')} MB, {pages} pages, "
        f"{pages / med(walls):,.0f} pages/s")
    for stage in stage_names(m):
        vals = [r.extra["stages"][stage] for r in m if stage in r.extra["stages"]]
        log(f"       {stage:<13} {spread(vals, '.1f')} ms")
    rw = [r.wall for r in res.rebuild]
    log(f"     mend no-change rebuild wall {spread(rw, '.2f')} s = "
        f"{med(rw) / med(walls):.2f} of a full build")
    if res.hugo:
        hw = [r.wall for r in res.hugo]
        log(f"     Hugo      wall {spread(hw, '.2f')} s, cpu {spread([r.cpu for r in res.hugo], '.2f')} s, "
            f"peak RSS {spread([mb(r.rss_kb) for r in res.hugo], '.1f')} MB, "
            f"{res.hugo[-1].extra['pages']} pages, {res.hugo[-1].extra['pages'] / med(hw):,.0f} pages/s")
        # mend and Hugo run in turn, so run i of each saw about the same machine.
        pairs = [f"{a.wall / b.wall:.2f}x" for a, b in zip(m, res.hugo)]
        log(f"     mend/Hugo wall, run by run: {', '.join(pairs)}")
    else:
        log(f"     Hugo      {res.hugo_note or 'skipped'}")
    if res.pagefind:
        pw = [r.wall for r in res.pagefind]
        log(f"     Pagefind  wall {spread(pw, '.2f')} s, peak RSS "
            f"{spread([mb(r.rss_kb) for r in res.pagefind], '.1f')} MB")
        tw, tc, tr = pair_totals(res)
        log(f"     Hugo+Pagefind wall {spread(tw, '.2f')} s, cpu {spread(tc, '.2f')} s, "
            f"peak RSS {spread([mb(x) for x in tr], '.1f')} MB")
    elif res.hugo:
        log(f"     Pagefind  {res.pagefind_note or 'skipped'}")


def stage_names(runs: list[Run]) -> list[str]:
    seen = []
    for r in runs:
        for s in r.extra["stages"]:
            if s not in seen:
                seen.append(s)
    return sorted(seen, key=lambda s: (STAGES.index(s) if s in STAGES else len(STAGES), s))


def report(args, results: list[SizeResult], start_uptime: str, end_uptime: str,
           started: str) -> str:
    runs = f"{args.runs} run{'s' if args.runs != 1 else ''}"
    lines = [
        "# mend build benchmark",
        "",
        f"Command: `{args.command}`",
        "",
        f"- Date: {started} · host: {platform.node() or '?'}, {os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}",
        f"- Load at start: `{start_uptime}`",
        f"- Load at end: `{end_uptime}`",
        f"- mend: `{args.mend_version}` (release build), `mend build --root CORPUS -o OUT` "
        f"with `MEND_LOG=debug`; corpus from `examples/corpus.rs`, seed {args.seed}",
        f"- Hugo: {args.hugo_version or 'not run'} · `hugo --quiet -s SITE -d OUT --minify=false`"
        + (" · **without related articles** (`--hugo-no-related`)" if args.hugo_no_related
           else " · with related articles (`.Related` on themes)"),
        f"- Pagefind: {args.pagefind_version or 'not run'} · `npx pagefind --site HUGO_OUT`",
        f"- {runs} per tool and size after one uncounted warm-up, interleaved "
        "(mend, Hugo, Pagefind per round); each a whole process under "
        "`/usr/bin/time -f '%e %U %S %M'`, output folder deleted before each full build.",
        "- Cells are medians, with min–max in brackets when there is more than one run. "
        "CPU = user + sys. MB = 1024 KB. Peak RSS is that of the largest single "
        "process (GNU time's %M). Hugo+Pagefind: wall and CPU summed per round, peak RSS "
        "the larger of the two. Ratios are of medians; below 1× means mend is faster or smaller.",
        "",
        "## Summary",
        "",
    ]
    header = [
        "corpus size", "mend wall (s)", "mend CPU (s)", "mend peak RSS (MB)", "Hugo wall (s)",
        "Hugo RSS (MB)", "Hugo+Pagefind wall (s)", "Hugo+Pagefind RSS (MB)",
        "ratio mend/Hugo wall", "ratio mend/Hugo RSS", "ratio mend/(Hugo+Pagefind) wall",
    ]
    rows, detail_rows = [], []
    for r in results:
        mw = [x.wall for x in r.mend]
        mrss = [mb(x.rss_kb) for x in r.mend]
        row = [f"{r.size:,}", spread(mw, ".2f"), spread([x.cpu for x in r.mend], ".2f"),
               spread(mrss, ".1f")]
        hw = hrss = tw = None
        if r.hugo:
            hw = [x.wall for x in r.hugo]
            hrss = [mb(x.rss_kb) for x in r.hugo]
            row += [spread(hw, ".2f"), spread(hrss, ".1f")]
        else:
            row += ["–", "–"]
        if r.pagefind:
            tw, _, tr = pair_totals(r)
            row += [spread(tw, ".2f"), spread([mb(x) for x in tr], ".1f")]
        else:
            row += ["–", "–"]
        row += [
            ratio(med(mw), med(hw) if hw else None),
            ratio(med(mrss), med(hrss) if hrss else None),
            ratio(med(mw), med(tw) if tw else None),
        ]
        rows.append(row)

        pages = r.mend[-1].extra["pages"]
        rw = [x.wall for x in r.rebuild]
        d = [f"{r.size:,}", str(pages), f"{pages / med(mw):,.0f}",
             spread([x.extra['self_ms'] / 1000 for x in r.mend], ".2f"),
             spread(rw, ".2f"), f"{med(rw) / med(mw):.2f}"]
        mcpu = med([x.cpu for x in r.mend])
        if r.hugo:
            hp = r.hugo[-1].extra["pages"]
            hcpu = [x.cpu for x in r.hugo]
            d += [str(hp), spread(hcpu, ".2f"), f"{hp / med(hw):,.0f}", ratio(mcpu, med(hcpu))]
        else:
            d += ["–", "–", "–", "–"]
        if r.pagefind:
            pf = r.pagefind
            selfs = [x.extra["self_s"] for x in pf if x.extra["self_s"] is not None]
            d += [spread([x.wall for x in pf], ".2f"),
                  spread(selfs, ".2f") if selfs else "?",
                  spread([mb(x.rss_kb) for x in pf], ".1f"),
                  str(pf[-1].extra["pages"] if pf[-1].extra["pages"] is not None else "?"),
                  ratio(mcpu, med(pair_totals(r)[1]))]
        else:
            d += ["–", "–", "–", "–", "–"]
        d.append(r.load_before)
        detail_rows.append(d)
    lines.append(md_table(header, rows))
    notes = [f"- {r.size:,}: Hugo: {r.hugo_note}" for r in results if r.hugo_note]
    notes += [f"- {r.size:,}: Pagefind: {r.pagefind_note}" for r in results
              if r.pagefind_note and r.hugo]
    if notes:
        lines += ["", *notes]
    lines += [
        "",
        "## Details",
        "",
        "mend pages = HTML pages mend reports; Hugo pages = `.html` files in Hugo's output. "
        "\"mend own\" is the time on mend's summary line (inside the process). A no-change "
        "rebuild is `mend build` again into the same output folder with nothing changed. "
        "Pagefind wall includes `npx` and Node start-up; \"Pagefind own\" is the time "
        "Pagefind itself reports. On a shared machine CPU time is steadier than wall time: "
        "wall grows with the load average, CPU much less.",
        "",
        md_table(
            ["corpus size", "mend pages", "mend pages/s", "mend own (s)",
             "mend no-change rebuild wall (s)", "rebuild / full build", "Hugo pages",
             "Hugo CPU (s)", "Hugo pages/s", "ratio mend/Hugo CPU", "Pagefind wall (s)",
             "Pagefind own (s)", "Pagefind RSS (MB)", "Pagefind pages",
             "ratio mend/(Hugo+Pagefind) CPU", "load avg at start (1, 5, 15 min)"],
            detail_rows,
        ),
        "",
        "## mend stages, full build (ms)",
        "",
    ]
    lines += [stage_table(results, "mend"), "", "## mend stages, no-change rebuild (ms)", "",
              stage_table(results, "rebuild")]
    return "\n".join(lines) + "\n"


def stage_table(results: list[SizeResult], which: str) -> str:
    all_runs = [x for r in results for x in getattr(r, which)]
    header = ["stage"] + [f"{r.size:,} articles" for r in results]
    rows = []
    for stage in stage_names(all_runs):
        row = [stage]
        for r in results:
            vals = [x.extra["stages"][stage] for x in getattr(r, which)
                    if stage in x.extra["stages"]]
            row.append(spread(vals, ".1f") if vals else "–")
        rows.append(row)
    rows.append(["total (summary line)"] + [
        spread([float(x.extra["self_ms"]) for x in getattr(r, which)], ".0f") for r in results
    ])
    return md_table(header, rows)


# ---------------------------------------------------------------------------


def parse_args(argv: list[str]):
    p = argparse.ArgumentParser(description="mend build benchmark driver (see run.sh)")
    here = Path(__file__).resolve().parent
    p.add_argument("--repo", type=Path, default=here.parent.parent)
    p.add_argument("--work", type=Path, default=None,
                   help="work folder (default REPO/target/bench)")
    p.add_argument("--mend", type=Path, default=None, help="the mend binary")
    p.add_argument("--corpus-bin", type=Path, default=None, help="the corpus example binary")
    p.add_argument("--sizes", default="1000,10000")
    p.add_argument("--with-50k", action="store_true")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--hugo", type=Path, default=None, help="the Hugo binary; none: skip Hugo")
    p.add_argument("--hugo-skip", default=None, help="why Hugo is not run")
    p.add_argument("--hugo-no-related", action="store_true",
                   help="leave out Hugo's related articles (HUGO_PARAMS_BENCHNORELATED=true)")
    p.add_argument("--no-pagefind", action="store_true")
    p.add_argument("--pagefind-skip", default=None, help="why Pagefind is not run")
    p.add_argument("--command", default=None, help="the command line to print in the report")
    args = p.parse_args(argv)
    args.here = here
    args.repo = args.repo.resolve()
    args.work = (args.work or args.repo / "target" / "bench").resolve()
    args.mend = (args.mend or args.repo / "target" / "release" / "mend").resolve()
    args.corpus_bin = (args.corpus_bin or args.repo / "target" / "release" / "examples" / "corpus").resolve()
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        p.error(f"--sizes needs comma-separated whole numbers, not `{args.sizes}`")
    if args.with_50k and 50000 not in args.sizes:
        args.sizes.append(50000)
    if not args.sizes or min(args.sizes) < 2:
        p.error("--sizes needs sizes of at least 2 articles")
    if args.runs < 1:
        p.error("--runs must be at least 1")
    args.pagefind = bool(args.hugo) and not args.no_pagefind and not args.pagefind_skip
    if args.no_pagefind and not args.pagefind_skip:
        args.pagefind_skip = "skipped (--no-pagefind)"
    if not args.hugo and not args.pagefind_skip:
        args.pagefind_skip = "skipped (no Hugo)"
    args.command = args.command or " ".join(["python3", "benches/build/bench.py", *argv])
    return args


def version_of(cmd: list[str], cwd: Path | None = None) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [l for l in (out.stdout + out.stderr).splitlines()
             if l.strip() and "npm warn" not in l and "Running Hugo" not in l]
    return lines[0].strip() if out.returncode == 0 and lines else None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    for tool in (TIME, args.mend, args.corpus_bin):
        if not Path(tool).is_file():
            print(f"bench.py: {tool} is missing (run.sh builds and installs it)", file=sys.stderr)
            return 2
    args.work.mkdir(parents=True, exist_ok=True)
    args.mend_version = version_of([str(args.mend), "--version"]) or "mend"
    args.hugo_version = None
    if args.hugo:
        args.hugo_version = version_of([str(args.hugo), "version"])
        if not args.hugo_version:
            args.hugo_skip = f"skipped: `{args.hugo} version` failed"
            args.hugo = None
            args.pagefind = False
            args.pagefind_skip = args.pagefind_skip or "skipped (no Hugo)"
    args.pagefind_version = None
    if args.pagefind:
        args.pagefind_version = version_of(["npx", "--no", "--", "pagefind", "--version"],
                                           cwd=args.here)
        if not args.pagefind_version:
            args.pagefind = False
            args.pagefind_skip = "skipped: `npx pagefind --version` failed in benches/build"

    started = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    start_uptime = uptime()
    log(f"build benchmark: sizes {', '.join(f'{s:,}' for s in args.sizes)}; "
        f"{args.runs} run(s) + 1 warm-up; work folder {args.work}")
    log(f"  {start_uptime}")
    log(f"  mend: {args.mend_version} ({args.mend})")
    log(f"  Hugo: {args.hugo_version or args.hugo_skip or 'skipped'}")
    log(f"  Pagefind: {args.pagefind_version or args.pagefind_skip or 'skipped'}")

    global TRASH
    TRASH = args.work / "trash"
    if TRASH.exists():
        log("  emptying the trash an interrupted run left")
        empty_trash()
    wait_for_deletions_to_age(args.work)
    results = []
    try:
        for n in args.sizes:
            results.append(bench_size(args, n))
    except Failed as e:
        print(f"\nbench.py: {e}", file=sys.stderr)
        if not results:
            empty_trash()
            return 1
        log("\n(reporting the sizes that finished)")
    end_uptime = uptime()
    empty_trash()

    text = report(args, results, start_uptime, end_uptime, started)
    (args.work / "results.md").write_text(text)
    raw = {
        "command": args.command,
        "started": started,
        "uptime_start": start_uptime,
        "uptime_end": end_uptime,
        "versions": {"mend": args.mend_version, "hugo": args.hugo_version,
                     "pagefind": args.pagefind_version},
        "runs": args.runs,
        "seed": args.seed,
        "results": [
            {"size": r.size, "hugo_note": r.hugo_note, "pagefind_note": r.pagefind_note,
             "load_before": r.load_before,
             **{k: [asdict(x) for x in getattr(r, k)]
                for k in ("mend", "rebuild", "hugo", "pagefind")}}
            for r in results
        ],
    }
    (args.work / "results.json").write_text(json.dumps(raw, indent=1) + "\n")
    log("\n" + text)
    log(f"(written to {args.work / 'results.md'} and results.json)")
    return 0 if len(results) == len(args.sizes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
