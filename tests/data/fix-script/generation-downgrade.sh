#!/bin/sh
# apgate fix script for decision <id> (verdict reject, <time>)
# source: lpar-a.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# target: lpar-b.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
#
# Written by apgate check --fix-script for review; apgate never runs it.
# Read every step first; run the commands as root on the host they name,
# then collect the descriptors again and check again.

# === steps without a command (no safe command exists) ===
# REJECT card.generation 05.0004: target card CEX7 is older than source card CEX8
#   fix: no change on target host lpar-b.example.com helps: migrate to a host whose card for 05.0004 is a CEX8 or newer
# REJECT card.generation 05.0047: target card CEX7 is older than source card CEX8
#   fix: no change on target host lpar-b.example.com helps: migrate to a host whose card for 05.0047 is a CEX8 or newer
# REJECT card.generation 06.0004: target card CEX7 is older than source card CEX8
#   fix: no change on target host lpar-b.example.com helps: migrate to a host whose card for 06.0004 is a CEX8 or newer
# REJECT card.generation 06.0047: target card CEX7 is older than source card CEX8
#   fix: no change on target host lpar-b.example.com helps: migrate to a host whose card for 06.0047 is a CEX8 or newer
exit 0
