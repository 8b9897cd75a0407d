#!/usr/bin/env bash
# Runs every check: test peers, install, build, lint, typecheck, package lint, and all tests.
# CI runs exactly this (.ci/run), with CI=true so that a test that cannot run fails, not skips.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" = 0 ]; then
  bash "$ROOT/scripts/install-test-peers.sh"
else
  echo "not root: test peers not installed; tests needing them or namespaces will skip" >&2
fi
setup_workspace
cd "$ROOT"
pnpm lint
pnpm typecheck
pnpm lint:packages
rm -rf packages/*/.test-results tooling/*/.test-results
status=0
pnpm test || status=$?
node scripts/test-summary.mjs || status=$?
exit $status
