#!/usr/bin/env bash
# Installs redis-server (Debian package) for the Redis store tests, which
# start their own server on a free 127.0.0.1 port (or use
# $OUTHOOK_TEST_REDIS=host:port). Quiet; does nothing when one is there.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
redis-server --version
