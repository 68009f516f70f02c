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
# REJECT migration.blocked: blocked on target host lpar-b.example.com by ops@example.com: crypto card replacement scheduled
#   fix: the block was set by ops@example.com on 2026-11-20T00:00:00Z because: crypto card replacement scheduled; when that no longer holds, lift it on the target host lpar-b.example.com (it has no end time)
apgate unblock --mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
fi
exit 0
