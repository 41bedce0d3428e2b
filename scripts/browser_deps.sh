#!/bin/sh
# The browser tests drive Debian's chromium through Playwright (never `playwright install`:
# its downloads are not needed and may be blocked). Install chromium when it is missing and
# we may (root with apt-get); otherwise say so: tests/browser then skips with this reason.
set -u
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "browser_deps: installing Debian's chromium for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { apt-get update >/dev/null 2>&1 \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; } \
    || echo "browser_deps: could not install chromium; the browser tests will be skipped" >&2
else
  echo "browser_deps: /usr/bin/chromium is missing (install Debian's chromium package as root);" \
       "the browser tests will be skipped" >&2
fi
exit 0
