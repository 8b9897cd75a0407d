#!/usr/bin/env bash
# Sets up the workspace (pnpm, dependencies, build) and runs `netkit demo`.
source "$(dirname "$0")/lib.sh"
setup_workspace >&2
cd "$ROOT"
exec node packages/cli/dist/bin.js demo "$@"
