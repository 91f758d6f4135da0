#!/usr/bin/env bash
# The package on a fresh Debian 12 (docs/PACKAGING.md "Checks"), by hand (as root, with network; about 15
# minutes, so not in CI): debootstrap a minimal bookworm into a folder, apt install the package there (apt
# pulls in Qt, HDF5 and the rest from the archive: the dependencies dpkg-shlibdeps derived must be enough),
# run the installed programs, apt remove it, and check that nothing of it is left.
# usage: fresh_debian_check.sh PACKAGE.deb [FOLDER]   (FOLDER: default /tmp/lstmscope-fresh, removed after)
set -euo pipefail
deb=$(realpath "$1")
root=${2:-/tmp/lstmscope-fresh}
command -v debootstrap >/dev/null || { echo "needs debootstrap (apt install debootstrap)" >&2; exit 2; }
[[ ! -e "$root" ]] || { echo "$root exists; give another folder" >&2; exit 2; }
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
chroot "$root" bash -euo pipefail -c "
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq /tmp/$(basename "$deb") >/tmp/install.log
  echo \"apt install: \$(grep -c '^Setting up' /tmp/install.log) packages set up\"
  lstmscope-cli info /usr/share/lstmscope/examples/python_char.h5 | grep -q 'lstm 0: 256 units'
  QT_QPA_PLATFORM=offscreen lstmscope --size 1280x800 --screenshot /tmp/fresh.png | grep -q 'analysis shown'
  test -s /tmp/fresh.png
  apt-get remove -y -qq lstmscope >/dev/null
  if ls -d /usr/bin/lstmscope* /usr/share/lstmscope /usr/share/doc/lstmscope 2>/dev/null; then exit 1; fi
"
cp "$root/tmp/fresh.png" "$(dirname "$deb")/fresh-debian.png"
echo "fresh Debian 12: installed, ran (screenshot $(dirname "$deb")/fresh-debian.png), removed, nothing left"
