#!/usr/bin/env bash
# Installs AlphaStream's build, test and run-time dependencies from Debian 12
# packages. Idempotent: only missing packages are installed. Needs root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git curl
  libboost-dev libboost-system-dev libssl-dev
  libsimdjson-dev libconcurrentqueue-dev libeigen3-dev
  liblmdb-dev lmdb-utils libyaml-cpp-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libspdlog-dev libfmt-dev libcli11-dev libzip-dev nlohmann-json3-dev libnats-dev
  prometheus prometheus-alertmanager nats-server
  systemd libsystemd-dev dpkg-dev lintian openssl
  python3 python3-numpy python3-statsmodels python3-yaml python3-websockets
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
