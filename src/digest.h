/* digest.h - SHA-256 (OpenSSL libcrypto) as lowercase hex.  Identifies
 * descriptors, policy files and policy sets in verdicts and audit records. */
#ifndef APGATE_DIGEST_H
#define APGATE_DIGEST_H

#include <stddef.h>

#define AG_SHA256_HEX_LEN 65	/* 64 hex digits plus NUL */

/* Returns 0, or -1 if libcrypto fails (then out is ""). */
int ag_sha256_hex(const void *data, size_t len, char out[AG_SHA256_HEX_LEN]);

#endif
