#!/usr/bin/env bash
# `pnpm test`: build, typecheck, lint, Node + real-GPU tests (Dawn/lavapipe), browser tests (Chromium/
# SwiftShader) and the demo e2e, then one closing line "N passed, N failed" over every suite.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}/xdg-runtime-$(id -u)}"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
rm -rf packages/*/reports apps/*/reports   # no stale results in the summary
rc=0
pnpm turbo run build typecheck test e2e --continue=dependencies-successful "$@" || rc=$?
# ESLint (type-checked; eslint.config.js) and Prettier's check. A failure fails the run but does not stop the tests.
pnpm lint || { echo "lint: failed (see above; run pnpm lint)"; rc=$((rc == 0 ? 1 : rc)); }
node tools/test-summary.mjs || rc=$((rc == 0 ? 1 : rc))
exit "$rc"
