#!/usr/bin/env bash
# install-browser - Debian's chromium for the viewer's browser test (test/viewer/browser.test.ts).
# The test drives it through playwright-core with executablePath /usr/bin/chromium; CI sets
# SMTP_LAB_REQUIRE_BROWSER so a missing browser fails the run instead of skipping.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "== chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "== chromium: $(/usr/bin/chromium --version 2>/dev/null || true)"
