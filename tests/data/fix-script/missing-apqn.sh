#!/bin/sh
# apgate fix script for decision <id> (verdict reject, <time>)
# source: lpar-a.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# target: lpar-b.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
#
# Written by apgate check --fix-script for review; apgate never runs it.
# Read every step first; run the commands as root on the host they name,
# then collect the descriptors again and check again.
# Usage:
#   sh THIS-SCRIPT target  on lpar-b.example.com
set -eu

case "${1:-}" in
target) ;;
*) echo "usage: sh $0 target" >&2; exit 2 ;;
esac

# === on the target host lpar-b.example.com ===
if [ "$1" = target ]; then
# REJECT apqn.match 06.0004: assigned on source, missing on target
#   fix: assign adapter 0x06 to mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 on target host lpar-b.example.com (its definition, and the running device when started), once 06.0004 is bound to vfio_ap there
mdevctl modify --uuid 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 --addattr assign_adapter --value 0x06
echo 0x06 > /sys/devices/vfio_ap/matrix/5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93/assign_adapter
# REJECT apqn.match 06.0047: assigned on source, missing on target
#   fix: assign adapter 0x06 to mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 on target host lpar-b.example.com (its definition, and the running device when started), once 06.0047 is bound to vfio_ap there
#   (already above) mdevctl modify --uuid 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93 --addattr assign_adapter --value 0x06
#   (already above) echo 0x06 > /sys/devices/vfio_ap/matrix/5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93/assign_adapter
fi
exit 0
