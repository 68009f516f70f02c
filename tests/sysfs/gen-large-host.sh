#!/bin/sh
# gen-large-host.sh - print a umockdev description of a large IBM Z host:
# 16 CEX8C adapters (0x10..0x1f) x 85 domains (0x00..0x54), 1360 queues.
# Domain 0x00 stays with the host (cex4queue, 9-line mkvps); every other
# queue is on vfio_ap.  Two mdevs: 7a1c0e52-... owns 2 x 2 APQNs
# (11,12 x 0x20,0x21; the same size as the CCA host's guest) and
# 7b2d1f63-... owns 16 x 84 (every vfio_ap queue).
# Used by tests/e2e/collect-sysfs.sh and tests/bench/collect-bench.sh;
# generated at test time rather than committed (about 25000 lines).
set -eu
exec awk '
function mask(first, last, n,  digits, i, d, out) {
	# 256-bit mask, ID 0 = most significant bit of the first digit
	for (i = 0; i < 64; i++) digits[i] = 0
	for (i = first; i <= last; i++) digits[int(i / 4)] += 2 ^ (3 - i % 4)
	out = "0x"
	for (i = 0; i < 64; i++) out = out sprintf("%x", digits[i])
	return out
}
function mask2(a, b,  digits, i, out) {
	for (i = 0; i < 64; i++) digits[i] = 0
	digits[int(a / 4)] += 2 ^ (3 - a % 4)
	digits[int(b / 4)] += 2 ^ (3 - b % 4)
	out = "0x"
	for (i = 0; i < 64; i++) out = out sprintf("%x", digits[i])
	return out
}
function queue(a, d,  p) {
	p = sprintf("/devices/ap/card%02x/%02x.%04x", a, a, d)
	print "P: " p
	print "E: SUBSYSTEM=ap"
	print "E: DEVTYPE=ap_queue"
	print "E: DRIVER=" (d == 0 ? "cex4queue" : "vfio_ap")
	print "E: MODE=cca"
	print "A: chkstop=0"
	print "A: config=1"
	print "A: interrupt=Interrupts enabled."
	if (d == 0) {
		print "A: load=0"
		print "A: mkvps=AES NEW: empty 0x0000000000000000\\nAES CUR: valid 0x3c1f9e07a2d84b65\\nAES OLD: invalid 0x0000000000000000\\nAPKA NEW: empty 0x0000000000000000\\nAPKA CUR: valid 0x61e0a9d4c3b27f58\\nAPKA OLD: invalid 0x0000000000000000\\nASYM NEW: empty 0x00000000000000000000000000000000\\nASYM CUR: valid 0x0f4e2d6c8b1a3957e6d5c4b3a2918070\\nASYM OLD: invalid 0x00000000000000000000000000000000\\n"
		print "A: online=1"
	}
	print "A: pendingq_count=0"
	print "A: request_count=0"
	print "A: requestq_count=0"
	print "A: reset=No Reset Timer set."
	if (d != 0)
		print "A: status=" ((a == 17 || a == 18) && (d == 32 || d == 33) ? "in use" : "assigned")
	print "L: driver=../../../../bus/ap/drivers/" (d == 0 ? "cex4queue" : "vfio_ap")
	print ""
}
function card(a) {
	printf "P: /devices/ap/card%02x\n", a
	print "E: SUBSYSTEM=ap"
	print "E: DEVTYPE=ap_card"
	print "E: DRIVER=cex4card"
	print "E: DEV_TYPE=000E"
	print "E: MODALIAS=ap:t0E"
	print "E: MODE=cca"
	print "A: ap_functions=0x92800000"
	print "A: chkstop=0"
	print "A: config=1"
	print "A: depth=7"
	print "A: hwtype=14"
	print "A: online=1"
	print "A: raw_hwtype=14"
	printf "A: serialnr=93AAL%03d\n", a
	print "A: type=CEX8C"
	print "L: driver=../../../bus/ap/drivers/cex4card"
	print ""
}
function mdev(uuid, apm, aqm, adm, matrix, cdoms) {
	print "P: /devices/vfio_ap/matrix/" uuid
	print "E: SUBSYSTEM=mdev"
	print "E: DRIVER=vfio_ap_mdev"
	print "E: MDEV_TYPE=vfio_ap-passthrough"
	print "A: ap_config=" apm "," aqm "," adm "\\n"
	print "A: control_domains=" cdoms
	print "A: guest_matrix=" matrix
	print "A: matrix=" matrix
	print "L: driver=../../../../bus/mdev/drivers/vfio_ap_mdev"
	print "L: mdev_type=../mdev_supported_types/vfio_ap-passthrough"
	print ""
}
BEGIN {
	for (a = 16; a < 32; a++) {
		for (d = 0; d < 85; d++)
			queue(a, d)
		card(a)
	}
	print "P: /devices/ap"
	print "E: SUBSYSTEM=ap"
	print "E: INITSCAN=done"
	print "E: BINDINGS=complete"
	print ""
	small = ""
	for (a = 17; a <= 18; a++)
		for (d = 32; d <= 33; d++)
			small = small sprintf("%02x.%04x\\n", a, d)
	mdev("7a1c0e52-3b4d-4e6f-8a9b-0c1d2e3f4a5b", mask(17, 18),
	     mask2(32, 33), mask2(32, 33), small, "0020\\n0021\\n")
	large = ""
	for (a = 16; a < 32; a++)
		for (d = 1; d < 85; d++)
			large = large sprintf("%02x.%04x\\n", a, d)
	cd = ""
	for (d = 1; d < 85; d++)
		cd = cd sprintf("%04x\\n", d)
	mdev("7b2d1f63-4c5e-4f70-9bac-1d2e3f4a5b6c", mask(16, 31),
	     mask(1, 84), mask(1, 84), large, cd)
	print "P: /devices/vfio_ap/matrix"
	print "E: SUBSYSTEM=matrix"
	print "E: DRIVER=vfio_ap"
	print "A: features=guest_matrix hotplug ap_config\\n"
	print "L: driver=../../../bus/matrix/drivers/vfio_ap"
}'
