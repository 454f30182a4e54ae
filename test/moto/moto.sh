#!/usr/bin/env bash
# Starts (`up`) or stops (`down`) the moto that `npm run test:moto` and CI run
# against: ../shared/moto/up.sh and down.sh (MOTO_UP overrides up.sh's path;
# down.sh is beside it), on a copy of moto's source with moto-patches/*.patch
# applied (gaps of moto the suite runs into; each patch says what AWS
# documents), and with the environment the suite needs:
#   MOTO_ECS_SERVICE_RUNNING=1  moto's services report one running task (its
#                               tasks never run otherwise: a deployment never
#                               completes and `up` would wait for it);
#   MOTO_ACM_VALIDATION_WAIT=5  certificates are ISSUED 5 s after their
#                               request (moto's default, 60 s, makes every
#                               example's `up` wait a minute; 5 s still waits).
# Either can be set to another value. PORT is the port, as for up.sh.
#
# The patched copy lives in its own work folder (MOTO_WORK, default
# /tmp/containrlab-moto-<hash of the patches and moto's archive>): up.sh
# unpacks nothing there once the source is in place, and a moto started by
# the shared up.sh alone (unpatched, in its own folder) is never mistaken for
# this one: on a port that such a moto holds, `up` fails and says so.
#
#   url=$(bash test/moto/moto.sh up)   # prints the endpoint, like up.sh
#   bash test/moto/moto.sh down
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
UP="${MOTO_UP:-$HERE/../../../shared/moto/up.sh}"
[ -f "$UP" ] || { echo "moto.sh: $UP does not exist (set MOTO_UP to moto's up.sh)" >&2; exit 1; }
SHARED="$(cd "$(dirname "$UP")" && pwd)"
ARCHIVE="$SHARED/moto-5.2.2.tar.xz"
PORT="${PORT:-5000}"
stamp="$( (cat "$HERE"/moto-patches/*.patch; stat -c '%s %Y' "$ARCHIVE") | sha256sum | cut -c1-12)"
export MOTO_WORK="${MOTO_WORK:-/tmp/containrlab-moto-$stamp}"

case "${1:-}" in
  down) exec bash "$SHARED/down.sh" ;;
  up) ;;
  *) echo "usage: moto.sh up|down" >&2; exit 2 ;;
esac

pidfile="$MOTO_WORK/$PORT/moto.pid"
if ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; } && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "moto.sh: port $PORT is taken by a program this script did not start (a moto without its patches and MOTO_ECS_SERVICE_RUNNING would fail the suite): stop it, or set PORT" >&2
  exit 1
fi

SRC="$MOTO_WORK/src-5.2.2"
if [ ! -f "$SRC/.complete" ]; then
  rm -rf "$SRC"
  mkdir -p "$SRC"
  tar -xJf "$ARCHIVE" -C "$SRC"
  for patch in "$HERE"/moto-patches/*.patch; do
    patch -p1 --batch --silent -d "$SRC" <"$patch" || { echo "moto.sh: $patch does not apply to $ARCHIVE" >&2; exit 1; }
  done
  touch "$SRC/.complete"
fi

export MOTO_ECS_SERVICE_RUNNING="${MOTO_ECS_SERVICE_RUNNING:-1}"
export MOTO_ACM_VALIDATION_WAIT="${MOTO_ACM_VALIDATION_WAIT:-5}"
exec bash "$UP"
