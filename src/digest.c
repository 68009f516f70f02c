/* digest.c - SHA-256 through nettle: a plain function call, no library
 * initialisation, configuration file or provider lookup at start-up. */
#include "config.h"

#include <nettle/sha2.h>

#include "digest.h"

int ag_sha256_hex(const void *data, size_t len, char out[AG_SHA256_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(md), md);
	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * sizeof(md)] = '\0';
	return 0;
}
