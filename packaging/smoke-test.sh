#!/usr/bin/env bash
# Smoke test of the built desktop bundle (issue 11.2): run after `./dev bundle`, from CI
# (.ci/run) or by hand:   bash packaging/smoke-test.sh [dist/repdesk-<version>-<platform>.tar.gz]
#
# It unpacks the .tar.gz into a fresh folder elsewhere (so the bundle must be relocatable
# and the archive complete), then starts it with an empty environment: no virtualenv, no
# Python on PATH, a new HOME. It checks
#   1. BUILD-INFO.json and `repdesk --version` name the same release;
#   2. with no display, `--demo --screenshot DIR` renders every screen offscreen to PNGs
#      that are real pictures (PNG signature, window-sized, not a blank image's few KB);
#   3. under Xvfb, `--demo --grab-window PNG` opens a REAL X11 window (Qt's xcb plugin with
#      its system libraries) and saves a picture of the screen.
# Needs: tar, Xvfb (apt-get install xvfb) and the Qt system libraries of
# packaging/qt-system-packages.txt. Prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."

archive=${1:-$(ls dist/repdesk-*.tar.gz 2>/dev/null | head -n 1)}
[ -f "$archive" ] || { echo "smoke test: no bundle archive; run ./dev bundle first" >&2; exit 1; }

tmp=$(mktemp -d)
xvfb_pid=
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
step() { printf '== %s\n' "$*"; step_at=${EPOCHREALTIME/./}; }
took() { local us=$((${EPOCHREALTIME/./} - step_at)); printf '   %d.%d s\n' $((us / 1000000)) $((us % 1000000 / 100000)); }

# The app, started as a rep's desktop would: nothing from this shell's environment.
run_app() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 "$@"; }

# A PNG of at least WxH pixels and MIN bytes (a blank window-sized PNG is a few KB).
check_png() {
  local file=$1 min_w=$2 min_h=$3 min_bytes=$4
  [ -f "$file" ] || fail "$file was not written"
  [ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] \
    || fail "$file is not a PNG"
  local w h size
  w=$((16#$(od -An -tx1 -j16 -N4 "$file" | tr -d ' \n')))
  h=$((16#$(od -An -tx1 -j20 -N4 "$file" | tr -d ' \n')))
  size=$(stat -c %s "$file")
  [ "$w" -ge "$min_w" ] && [ "$h" -ge "$min_h" ] || fail "$file is only ${w}x${h}"
  [ "$size" -ge "$min_bytes" ] || fail "$file is only $size bytes: a blank picture?"
}

step "unpack $archive into a fresh folder"
mkdir -p "$tmp/opt" "$tmp/home"
tar -xzf "$archive" -C "$tmp/opt"
app="$tmp/opt/repdesk/repdesk"
[ -x "$app" ] || fail "the archive has no repdesk/repdesk executable"
info=$(cat "$tmp/opt/repdesk/BUILD-INFO.json")
release=$(printf '%s' "$info" | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p')
platform=$(printf '%s' "$info" | sed -n 's/.*"platform": *"\([^"]*\)".*/\1/p')
[ -n "$release" ] && [ -n "$platform" ] || fail "BUILD-INFO.json lacks version/platform: $info"
case "$archive" in *"repdesk-$release-$platform.tar.gz") ;; *) fail "$archive is not named for $release/$platform" ;; esac
ls "$tmp"/opt/repdesk/_internal/keyring-*.dist-info/entry_points.txt >/dev/null \
  || fail "keyring's entry points (how it finds its backends) are missing"
took

step "repdesk --version (no virtualenv, empty environment)"
printed=$(run_app "$app" --version)
echo "   $printed"
[ "$printed" = "repdesk $release" ] || fail "--version said '$printed', BUILD-INFO.json says $release"
took

step "repdesk --demo --screenshot (no display: offscreen)"
run_app "$app" --demo --data-dir "$tmp/data" --screenshot "$tmp/shots" >"$tmp/shots.out" 2>"$tmp/shots.err" \
  || { cat "$tmp/shots.err" >&2; fail "--screenshot exited non-zero"; }
count=0
for png in "$tmp"/shots/*.png; do
  check_png "$png" 640 400 20000
  count=$((count + 1))
done
[ "$count" -ge 12 ] || fail "only $count screenshots"
echo "   $count screenshots, e.g. $(basename "$(ls "$tmp"/shots/*.png | head -n 1)") $(stat -c %s "$(ls "$tmp"/shots/*.png | head -n 1)") bytes"
[ -n "${SMOKE_KEEP:-}" ] && mkdir -p "$SMOKE_KEEP" && cp "$tmp"/shots/*.png "$SMOKE_KEEP"/
took

step "repdesk --demo --grab-window (a real X11 window under Xvfb)"
command -v Xvfb >/dev/null || fail "Xvfb is not installed (apt-get install xvfb)"
mkfifo "$tmp/display"
Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp 9>"$tmp/display" >/dev/null 2>&1 &
xvfb_pid=$!
read -r display_number <"$tmp/display"  # Xvfb writes it once it accepts clients
[ -n "$display_number" ] || fail "Xvfb did not start"
run_app DISPLAY=":$display_number" "$app" --demo --data-dir "$tmp/data" --grab-window "$tmp/screen.png" \
  >"$tmp/grab.out" 2>"$tmp/grab.err" || { cat "$tmp/grab.err" >&2; fail "--grab-window exited non-zero"; }
check_png "$tmp/screen.png" 1280 800 20000
[ -n "${SMOKE_KEEP:-}" ] && cp "$tmp/screen.png" "$SMOKE_KEEP"/
echo "   $(stat -c %s "$tmp/screen.png") bytes"
took
echo "smoke test passed: $archive"
