#!/usr/bin/env bash
# Installs the real peers and tools the tests use (Debian packages). Needs root; skips what is there.
set -euo pipefail
PACKAGES=(ncat socat iproute2 nftables tshark tcpdump iputils-ping util-linux libcap2-bin netsniff-ng valgrind python3 unbound bind9-dnsutils bind9-utils knot-dnsutils dnsperf)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "missing test peers: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing test peers: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Daemons among them (unbound) must not start as system services: tests run their own instances.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
