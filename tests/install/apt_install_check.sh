#!/usr/bin/env bash
# The package installed for real (docs/PACKAGING.md "Checks"): apt install ./lstmscope_*.deb (its dependencies
# come from the archive), the installed programs run from /usr/bin, then apt remove leaves nothing of it.
# It changes the machine's /usr, so .ci/test.sh runs it in CI only. usage: apt_install_check.sh PACKAGE.deb
set -euo pipefail
deb=$(realpath "$1")
if dpkg-query -W -f='${Status}' lstmscope 2>/dev/null | grep -q "install ok installed"; then
  echo "apt_install_check: lstmscope is installed on this machine already; not touching it" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "$deb" >/dev/null
shot=$(mktemp -d)
trap 'rm -rf "$shot"' EXIT
/usr/bin/lstmscope-cli info /usr/share/lstmscope/examples/python_char.h5 | grep -q "lstm 0: 256 units"
QT_QPA_PLATFORM=offscreen /usr/bin/lstmscope --size 1000x700 --screenshot "$shot/app.png" | grep -q "analysis shown"
test -s "$shot/app.png"
man -w lstmscope-cli >/dev/null
apt-get remove -y -qq lstmscope >/dev/null
left=$(ls -d /usr/bin/lstmscope /usr/bin/lstmscope-cli /usr/share/lstmscope /usr/share/doc/lstmscope \
  /usr/share/applications/io.github.lstmscope.LSTMScope.desktop /usr/share/mime/packages/lstmscope.xml 2>/dev/null || true)
if [[ -n "$left" ]]; then
  echo "apt_install_check: left after apt remove: $left" >&2
  exit 1
fi
echo "apt install ./$(basename "$deb"), the programs run from /usr/bin, apt remove: nothing left"
