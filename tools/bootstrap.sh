#!/usr/bin/env bash
# Makes a fresh Debian bookworm machine with Node 20 ready for webxai, idempotently:
# system packages (chromium, lavapipe from backports), pnpm, and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
bash tools/install-system.sh
if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "[bootstrap] npm i -g pnpm@$PNPM_VERSION"
  npm install -g --no-audit --no-fund --loglevel=error "pnpm@$PNPM_VERSION"
fi
pnpm install --frozen-lockfile --reporter=append-only
