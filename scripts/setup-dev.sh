#!/usr/bin/env bash
# Prepare a machine for footer-audit's test suite: a virtual environment (.venv) with the project
# and its test tools, a Chromium that Playwright can drive with fonts for Chinese text, and a Redis
# server on 127.0.0.1:6379. Each step is skipped when it is already satisfied, so running it again
# is cheap. The environment never sees the machine's site-packages: an undeclared dependency
# fails here as it would on a user's machine.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_ready=0
apt_install() {
  command -v apt-get >/dev/null || return 1
  if [ "$apt_ready" -eq 0 ]; then as_root apt-get update -qq || return 1; apt_ready=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

venv=${FOOTER_AUDIT_VENV:-.venv}
if [ ! -x "$venv/bin/python" ]; then
  say "creating the virtual environment $venv"
  "${PYTHON:-python3}" -m venv "$venv"
fi
python="$venv/bin/python"
say "installing footer-audit and its test dependencies into $venv"
"$python" -m pip install --quiet --disable-pip-version-check -e '.[test]'

# The places crawler/render/browser.py looks: $FOOTER_AUDIT_CHROMIUM, then a headless shell (Playwright's
# download, Debian's chromium-headless-shell: about half the CPU of the full browser), then a full
# Chromium. A machine with only a full Chromium gets the shell added.
have_shell() {
  [ -n "${FOOTER_AUDIT_CHROMIUM:-}" ] && [ -x "$FOOTER_AUDIT_CHROMIUM" ] && return 0
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium_headless_shell-*/* >/dev/null 2>&1 && return 0
  [ -x /usr/lib/chromium/chromium-headless-shell ]
}
if have_shell; then
  say "browser found"
else
  say "no headless Chromium found: installing one"
  apt_install chromium-headless-shell || "$python" -m playwright install chromium \
    || say "could not install Chromium: browser tests will be skipped"
fi
# Without a CJK font Chromium draws every Chinese character of the footer screenshots and of the
# HTML report as a box: the browser comes with Debian's Noto CJK fonts.
if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh family)" ]; then
  say "CJK font found"
else
  say "no CJK font found: installing fonts-noto-cjk"
  apt_install fontconfig fonts-noto-cjk \
    || say "could not install fonts-noto-cjk: Chinese text will render as boxes (install a CJK font)"
fi

if command -v redis-server >/dev/null 2>&1; then :; else
  say "installing redis-server"
  apt_install redis-server || say "could not install redis-server: Redis tests will fail"
fi
if ! "$python" -c "import redis,sys; redis.Redis(host='127.0.0.1', port=6379, socket_timeout=1).ping()" 2>/dev/null; then
  if command -v redis-server >/dev/null 2>&1; then
    say "starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/footer-audit-redis.log"
    for _ in $(seq 50); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
fi
say "ready"
