#!/usr/bin/env bash
# Starts (`up`) or stops (`down`) the moto that `npm run test:moto` and CI run
# against: ../shared/moto/up.sh and down.sh as they are (MOTO_UP overrides
# up.sh's path; down.sh is beside it), with the environment the suite needs:
#   MOTO_ECS_SERVICE_RUNNING=1  moto's services report one running task (its
#                               tasks never run otherwise: a deployment never
#                               completes and `up` waits for it until the
#                               service's wait times out, 20 minutes);
#   MOTO_ACM_VALIDATION_WAIT=5  certificates are ISSUED 5 s after their
#                               request (moto's default, 60 s, makes every
#                               example with a domain wait a minute; 5 s still waits).
# Either can be set to another value. PORT is the port and MOTO_WORK the work
# folder, as for up.sh. A moto already answering on the port is used as it is
# (up.sh only says so): it must have been started with MOTO_ECS_SERVICE_RUNNING.
#
#   url=$(bash test/moto/moto.sh up)   # prints the endpoint, like up.sh
#   bash test/moto/moto.sh down
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
UP="${MOTO_UP:-$HERE/../../../shared/moto/up.sh}"
[ -f "$UP" ] || { echo "moto.sh: $UP does not exist (set MOTO_UP to moto's up.sh)" >&2; exit 1; }
case "${1:-}" in
  down) exec bash "$(dirname "$UP")/down.sh" ;;
  up)
    export MOTO_ECS_SERVICE_RUNNING="${MOTO_ECS_SERVICE_RUNNING:-1}"
    export MOTO_ACM_VALIDATION_WAIT="${MOTO_ACM_VALIDATION_WAIT:-5}"
    exec bash "$UP"
    ;;
  *) echo "usage: moto.sh up|down" >&2; exit 2 ;;
esac
