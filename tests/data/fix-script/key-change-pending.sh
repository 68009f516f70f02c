#!/bin/sh
# apgate fix script for decision <id> (verdict warn, <time>)
# source: lpar-a.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# target: lpar-b.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
#
# Written by apgate check --fix-script for review; apgate never runs it.
# Read every step first; run the commands as root on the host they name,
# then collect the descriptors again and check again.

# === steps without a command (no safe command exists) ===
# WARN mkvp.match 05.0004: master key change in progress for AES: NEW full on source, full on target
#   fix: wait until the AES master-key change of APQN 05.0004 (NEW register full on source, full on target) is finished on both hosts and check again, or migrate first and change the key afterwards
# WARN mkvp.match 06.0004: master key change in progress for AES: NEW full on source, full on target
#   fix: wait until the AES master-key change of APQN 06.0004 (NEW register full on source, full on target) is finished on both hosts and check again, or migrate first and change the key afterwards
exit 0
