#!/usr/bin/env bash
# A .deb of the built Linux bundle (optional; after ./dev bundle, needs dpkg-deb):
#   bash packaging/make-deb.sh   ->  dist/repdesk_<version>_amd64.deb
# Installs the folder as /opt/repdesk, links /usr/bin/repdesk, puts the desktop entry,
# icons and AppStream metadata under /usr/share, and depends on the Qt system libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=dist/repdesk
[ -f "$bundle/BUILD-INFO.json" ] || { echo "no $bundle: run ./dev bundle first" >&2; exit 1; }
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$bundle/BUILD-INFO.json")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/opt" "$root/usr/bin" "$root/usr/share" "$root/DEBIAN"
cp -a "$bundle" "$root/opt/repdesk"
rm -rf "$root/opt/repdesk/share"
cp -a "$bundle/share/." "$root/usr/share/"
ln -s /opt/repdesk/repdesk "$root/usr/bin/repdesk"
depends=$(paste -sd, packaging/qt-system-packages.txt | sed 's/,/, /g')
size=$(du -sk "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: repdesk
Version: $version
Architecture: amd64
Maintainer: repdesk contributors <repdesk@example.org>
Installed-Size: $size
Depends: $depends
Section: misc
Priority: optional
Homepage: https://repdesk.example.org/
Description: desktop companion for B2B sales reps
 Your leads, their nurture history and a live-call BANT console, offline-first,
 synced with marketing's repdesk hub. Python and Qt are inside (/opt/repdesk).
CONTROL
out=dist/repdesk_${version}_amd64.deb
dpkg-deb --root-owner-group -Zgzip --build "$root" "$out" >/dev/null
echo "$out ($(du -m "$out" | cut -f1) MB)"
