#!/usr/bin/env bash
# Installs the system packages webxai's tests need, idempotently:
#  - chromium (Debian's; WebGPU via SwiftShader) for browser tests,
#  - mesa-vulkan-drivers >= 25 from bookworm-backports (lavapipe; bookworm's 22.x is refused by Dawn).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
need_chromium=; need_mesa=
[ -x "$CHROMIUM_PATH" ] || need_chromium=1
m=$(ver mesa-vulkan-drivers)
if [ -z "$m" ] || dpkg --compare-versions "$m" lt 25; then need_mesa=1; fi
if [ -n "$need_chromium$need_mesa" ]; then
  echo "[system] installing ${need_chromium:+chromium }${need_mesa:+mesa-vulkan-drivers(bookworm-backports)}"
  if [ -n "$need_mesa" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    $SUDO tee /etc/apt/sources.list.d/backports.sources >/dev/null <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  $SUDO apt-get update -qq
  if [ -n "$need_chromium" ]; then $SUDO apt-get install -y -qq chromium >/dev/null; fi
  if [ -n "$need_mesa" ]; then $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers >/dev/null; fi
fi
echo "[system] chromium $(ver chromium), mesa-vulkan-drivers $(ver mesa-vulkan-drivers)"
