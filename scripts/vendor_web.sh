#!/bin/sh
# Vendor the browser libraries from npm (web/package.json, pinned by web/package-lock.json)
# into app/web/static/vendor/, which is gitignored: the pages load them from our own origin,
# so the console works offline and no third-party CDN sees who uses it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/app/web/static/vendor"
cd "$ROOT/web"
if ! command -v npm >/dev/null 2>&1; then
  echo "vendor_web: npm not found; the pages need Node/npm once to vendor htmx, Alpine.js and the Twilio Voice SDK" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$OUT"
cp node_modules/htmx.org/dist/htmx.min.js "$OUT/htmx.min.js"
cp node_modules/alpinejs/dist/cdn.min.js "$OUT/alpine.min.js"
cp node_modules/@twilio/voice-sdk/dist/twilio.min.js "$OUT/twilio-voice.min.js"
echo "vendor_web: htmx, Alpine.js and the Twilio Voice SDK are in app/web/static/vendor/"
