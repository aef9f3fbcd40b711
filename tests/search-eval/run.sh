#!/usr/bin/env bash
# The search evaluation: installs the pinned npm packages (playwright-core, which
# never downloads a browser, and pagefind, whose native binary comes from the
# registry as an optional dependency), then runs eval.mjs with Debian's Chromium.
# Everything is served from 127.0.0.1; nothing is fetched at run time.
# Usage: bash tests/search-eval/run.sh [--out FILE] [--chromium PATH]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# --out may be relative to where the command was typed.
export MEND_EVAL_CWD="$PWD"
cd "$HERE"

CHROMIUM="${MEND_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "run.sh: no browser at $CHROMIUM (apt-get install chromium, or set MEND_CHROMIUM)" >&2
  exit 2
fi
for tool in node npm cargo git; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required but missing" >&2; exit 2; }
done

# npm ci when node_modules is missing or older than the lock.
STAMP="$HERE/node_modules/.mend-lock.sha256"
LOCK_SUM="$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ] || [ ! -d "$HERE/node_modules/playwright-core" ]; then
  npm ci --no-audit --no-fund >&2
  echo "$LOCK_SUM" >"$STAMP"
fi

MEND_CHROMIUM="$CHROMIUM" exec node "$HERE/eval.mjs" "$@"
