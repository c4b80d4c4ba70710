#!/usr/bin/env bash
# Start-up of the built bundle next to the source install, measured in the same run,
# alternating so machine noise hits both alike. Usage (after ./dev bundle):
#   bash packaging/measure-startup.sh [ROUNDS]
# Prints the median wall time of: a bare interpreter (the floor), `repdesk --version`, and
# `repdesk --demo --grab-window` (start to the first painted window under Xvfb, on an
# already-seeded demo data folder, so it includes starting the embedded demo hub and one
# sync), for dist/repdesk/repdesk and for .venv/bin/repdesk.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
tmp=$(mktemp -d)
xvfb_pid=
trap '[ -n "$xvfb_pid" ] && kill "$xvfb_pid"; rm -rf "$tmp"' EXIT
bundle=$PWD/dist/repdesk/repdesk
source=$PWD/.venv/bin/repdesk

mkfifo "$tmp/display"
Xvfb -displayfd 9 -screen 0 1280x800x24 -nolisten tcp 9>"$tmp/display" >/dev/null 2>&1 &
xvfb_pid=$!
read -r display <"$tmp/display"

ms() { local t0=${EPOCHREALTIME/./}; "$@" >/dev/null 2>&1; echo $(((${EPOCHREALTIME/./} - t0) / 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
clean() { env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8 DISPLAY=":$display" "$@"; }

# Seed both demo folders once (not measured).
clean "$bundle" --demo --data-dir "$tmp/b" --grab-window "$tmp/b.png" >/dev/null 2>&1
clean "$source" --demo --data-dir "$tmp/s" --grab-window "$tmp/s.png" >/dev/null 2>&1

for _ in $(seq "$rounds"); do
  ms clean "$PWD/.venv/bin/python" -c pass >>"$tmp/floor"
  ms clean "$bundle" --version >>"$tmp/bv"
  ms clean "$source" --version >>"$tmp/sv"
  ms clean "$bundle" --demo --data-dir "$tmp/b" --grab-window "$tmp/b.png" >>"$tmp/bg"
  ms clean "$source" --demo --data-dir "$tmp/s" --grab-window "$tmp/s.png" >>"$tmp/sg"
done
printf 'median of %d, ms: floor (python -c pass) %s\n' "$rounds" "$(median <"$tmp/floor")"
printf '  --version:      bundle %s  source %s\n' "$(median <"$tmp/bv")" "$(median <"$tmp/sv")"
printf '  --grab-window:  bundle %s  source %s\n' "$(median <"$tmp/bg")" "$(median <"$tmp/sg")"
