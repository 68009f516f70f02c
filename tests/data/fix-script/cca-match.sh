#!/bin/sh
# apgate fix script for decision <id> (verdict accept, <time>)
# source: lpar-a.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
# target: lpar-b.example.com, mdev 5c0ed1f8-3a7e-4b2d-9c61-0f4e8a2b7d93
#
# Nothing to fix: no warn or reject finding of this decision has a remedy.
exit 0
