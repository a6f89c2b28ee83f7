#!/usr/bin/env bash
# The web channel's tests drive a real headless Chromium (tests/bot/channels/test_web.py): Debian's
# chromium and chromium-driver, installed here when missing, so that `make test` needs nothing
# installed by hand. Without apt (another system), say what to install and stop.
# The accessibility test runs axe-core in that Chromium: the version pinned in
# tests/package-lock.json, installed with npm into tests/node_modules/ (again when the lock changes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
need=()
command -v chromium >/dev/null && command -v chromedriver >/dev/null || need+=(chromium chromium-driver)
command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        echo "The browser tests need Chromium and its WebDriver, Node.js and npm (Debian: ${need[*]})." >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing ${need[*]} for the browser tests (apt-get)…"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
stamp="$here/node_modules/.installed-lock"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
    echo "Installing axe-core for the accessibility test (npm ci, tests/package-lock.json)…"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$here/package-lock.json" "$stamp"
fi
