/* digest.h - SHA-256 (nettle) as lowercase hex.  Identifies
 * descriptors, policy files and policy sets in verdicts and audit records. */
#ifndef APGATE_DIGEST_H
#define APGATE_DIGEST_H

#include <stddef.h>

#define AG_SHA256_HEX_LEN 65	/* 64 hex digits plus NUL */

/* Returns 0 (nettle cannot fail; callers still check, in case the
 * implementation changes). */
int ag_sha256_hex(const void *data, size_t len, char out[AG_SHA256_HEX_LEN]);

#endif
