#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real (Prometheus/promtool,
# Alertmanager/amtool, restic, borg, libvirtd serving its test driver and virsh, the OBS back end,
# qemu), only those missing.
# Usage: scripts/install-test-deps.sh [--bench]   (--bench adds the peers the benchmark compares with)
set -euo pipefail

# command -> Debian package
declare -A needed=(
  [promtool]=prometheus
  [prometheus]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [restic]=restic
  [borg]=borgbackup
  [virsh]=libvirt-clients
  # libvirtd serves the test driver on a test-owned read-only socket (headroom reads it over RPC).
  [/usr/sbin/libvirtd]=libvirt-daemon
  [git]=git
  [prometheus-blackbox-exporter]=prometheus-blackbox-exporter
  [openssl]=openssl
  [chromium]=chromium
  # The real OBS back end and worker (their programs are not on PATH: checked by file below).
  [/usr/lib/obs/server/bs_srcserver]=obs-server
  [/usr/lib/obs/server/bs_worker]=obs-worker
  [/etc/init.d/obsworker]=obs-worker
  [dpkg-deb]=dpkg
  # dpkg-source makes the Debian source package the real OBS dsc build test builds.
  [dpkg-source]=dpkg-dev
  # Tiny TCG guests for the per-VM cost tests; ss shows what the OBS back end listens on.
  [qemu-system-x86_64]=qemu-system-x86
  [ss]=iproute2
)
if [[ "${1:-}" == "--bench" ]]; then
  needed[prometheus-node-exporter]=prometheus-node-exporter
  needed[prometheus-libvirt-exporter]=prometheus-libvirt-exporter
fi

missing=()
for cmd in "${!needed[@]}"; do
  if [[ "$cmd" == /* ]]; then
    [[ -e "$cmd" ]] || missing+=("${needed[$cmd]}")
  else
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${needed[$cmd]}")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "installing Debian packages for the tests: ${packages[*]}" >&2
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
