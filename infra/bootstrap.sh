#!/usr/bin/env bash
# Idempotent set-up for a Debian machine: installs only what is missing and starts
# dockerd when no Docker engine answers. On a machine that has everything it changes nothing.
# Usage: infra/bootstrap.sh   (root needed only for the apt and dockerd parts)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'bootstrap: %s\n' "$*" >&2; }

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
as_root() { [ "$(id -u)" = 0 ]; }

# Debian packages: Docker engine, qemu for foreign-architecture runners, debootstrap for
# locally made base images, git for sources, chromium for browser tests.
have dockerd || need_apt+=(docker.io)
have debootstrap || need_apt+=(debootstrap)
have git || need_apt+=(git)
[ -e /usr/bin/qemu-aarch64-static ] || [ -e /usr/bin/qemu-aarch64 ] || need_apt+=(qemu-user-static)
[ -e /usr/sbin/update-binfmts ] || need_apt+=(binfmt-support)
have chromium || need_apt+=(chromium)
# opam itself: the oracle the lint tests compare cid's opam lint with.
have opam || need_apt+=(opam)
if [ ${#need_apt[@]} -gt 0 ]; then
  if as_root; then
    log "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # docker.io would replace a docker CLI already installed elsewhere on PATH; that is fine.
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    log "missing ${need_apt[*]}: run this script as root, or install them with apt-get"
  fi
fi

# binfmt_misc lets a linux-arm64 runner run arm64 containers under qemu on x86_64.
if as_root && [ -d /proc/sys/fs/binfmt_misc ] && [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || log "could not mount binfmt_misc"
fi
if as_root && [ -e /proc/sys/fs/binfmt_misc/register ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || (ls /usr/share/binfmts/ >/dev/null 2>&1 && update-binfmts --import >/dev/null 2>&1) || true
fi

# npm packages, exactly as locked.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# A Docker engine: use the one that answers, else start dockerd (vfs works everywhere here).
if ! docker info >/dev/null 2>&1; then
  if as_root && have dockerd; then
    log "starting dockerd"
    mkdir -p /var/log
    nohup dockerd --storage-driver=vfs >/var/log/cid-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/cid-dockerd.log"; exit 1; }
  else
    log "no Docker engine answers; builds need one (run as root to start dockerd)"
  fi
fi
exit 0
