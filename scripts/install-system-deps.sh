#!/usr/bin/env bash
# Installs the Debian packages the test suite needs beyond npm: the Python OAuth2 client
# libraries that test/clients/ runs against a live Gatehouse with /usr/bin/python3, and Debian's
# Chromium (/usr/bin/chromium) that test/portal/ drives with playwright-core.
# Idempotent: does nothing (and needs no root, no network) when they are already installed.
set -euo pipefail

PACKAGES=(python3 python3-requests-oauthlib python3-authlib chromium)

missing=()
for package in "${PACKAGES[@]}"; do
  # `dpkg -s` also succeeds for removed-but-not-purged packages; only "install ok installed" counts.
  if [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]}"
  exit 0
fi

echo "installing system packages: ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
