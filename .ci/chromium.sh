#!/usr/bin/env bash
# Installs Chromium (Debian package) for the browser tests of the web
# console, which drive it headless from Go (internal/browsertest); with $CI
# set they fail instead of skipping when it is missing. Quiet; does
# nothing when one is there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
chromium --version
