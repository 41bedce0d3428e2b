#!/bin/sh
# The browser tests drive Debian's chromium through Playwright (never `playwright install`:
# its downloads are not needed and may be blocked). Install chromium when it is missing and
# we may (root with apt-get); otherwise say so: tests/browser then skips with this reason.
# Also the fonts for the Hindi and Bengali pages (prompts, the test phone), without which
# those scripts show as boxes in the browser and in docs/screenshots/.
set -u
FONTS="fonts-lohit-deva fonts-lohit-beng-bengali"

missing=""
[ -x /usr/bin/chromium ] || missing="chromium"
if command -v dpkg-query >/dev/null 2>&1; then
  for font in $FONTS; do
    dpkg-query -W -f='${Status}' "$font" 2>/dev/null | grep -q "ok installed" \
      || missing="$missing $font"
  done
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser_deps: installing$missing for the browser tests"
  # shellcheck disable=SC2086 # one package per word
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; } \
    || echo "browser_deps: could not install$missing; without chromium the browser tests are" \
            "skipped, without the fonts Hindi and Bengali show as boxes" >&2
elif [ ! -x /usr/bin/chromium ]; then
  echo "browser_deps: /usr/bin/chromium is missing (install Debian's chromium package as root);" \
       "the browser tests will be skipped" >&2
else
  echo "browser_deps: missing$missing (as root: apt-get install$missing);" \
       "Hindi and Bengali pages show boxes without them" >&2
fi
exit 0
