# Shared by the scripts: pnpm at the version package.json pins, installed when missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PNPM_VERSION=$(node -p "require('$ROOT/package.json').packageManager.split('@')[1]")

ensure_pnpm() {
  # pnpm cannot switch itself to the pinned version here (the registry serves no signatures),
  # so install exactly that version with npm.
  if [ "$(pnpm -v 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
    echo "installing pnpm@$PNPM_VERSION" >&2
    npm install -g --no-audit --no-fund "pnpm@$PNPM_VERSION" >/dev/null
  fi
}

setup_workspace() {
  ensure_pnpm
  cd "$ROOT"
  pnpm install --frozen-lockfile
  pnpm build
}
