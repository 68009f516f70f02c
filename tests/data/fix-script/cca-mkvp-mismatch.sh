#!/bin/sh
# apgate fix script for decision <id> (verdict reject, <time>)
# source: lpar-a.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# target: lpar-b.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
#
# Written by apgate check --fix-script for review; apgate never runs it.
# Read every step first; run the commands as root on the host they name,
# then collect the descriptors again and check again.

# === steps without a command (no safe command exists) ===
# REJECT mkvp.match 05.0047: current AES master key differs on target
#   fix: the CURRENT AES master-key register of target APQN 05.0047 must hold MKVP 0x4e7b2d90a1c3f586 (the source's CURRENT): it holds 0x6a0f3b82c4d9e571; load the source's master key into that domain (a key ceremony with the key parts, from a TKE), or migrate to a host whose APQN has it
# REJECT mkvp.match 06.0047: current AES master key differs on target
#   fix: the CURRENT AES master-key register of target APQN 06.0047 must hold MKVP 0x4e7b2d90a1c3f586 (the source's CURRENT): it holds 0x6a0f3b82c4d9e571; load the source's master key into that domain (a key ceremony with the key parts, from a TKE), or migrate to a host whose APQN has it
exit 0
