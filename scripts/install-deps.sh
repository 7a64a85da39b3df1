#!/usr/bin/env bash
# Installs the Debian packages RapidEELS needs, only those missing. Idempotent; runs as root or with sudo.
set -euo pipefail
packages=(libzmq3-dev libopenblas-dev liblapacke-dev libssl-dev libhdf5-dev pkg-config librsvg2-bin chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
