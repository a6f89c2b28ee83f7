#!/usr/bin/env bash
# The web channel's tests drive a real headless Chromium (tests/bot/channels/test_web.py): Debian's
# chromium and chromium-driver, installed here when missing, so that `make test` needs nothing
# installed by hand. Without apt (another system), say what to install and stop.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "The browser tests need Chromium and its WebDriver (Debian: chromium chromium-driver)." >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing chromium and chromium-driver for the browser tests (apt-get)…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
