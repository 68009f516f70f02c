/* policyimage.c - finding a built-in image for a policy file's bytes and
 * splicing the file's name into its bytecode. */
#include "config.h"

#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "policyimage.h"
#include "util.h"

const struct ag_policy_image *ag_policy_image_find(const char *buf,
						   size_t len)
{
	size_t i;

	/* Another Lua release may dump or run bytecode differently. */
	if (strcmp(lua_ident, ag_policy_images_lua_ident) != 0)
		return NULL;
	for (i = 0; i < ag_n_policy_images; i++) {
		const struct ag_policy_image *img = &ag_policy_images[i];

		if (img->source_len == len && memcmp(img->source, buf, len) == 0)
			return img;
	}
	return NULL;
}

unsigned char *ag_policy_image_code(const struct ag_policy_image *img,
				    const char *chunkname, size_t *len)
{
	size_t name_len = strlen(chunkname), n;
	unsigned char size[AG_DUMP_SIZE_MAX];
	unsigned char *code, *p;

	n = ag_dump_size_encode(name_len, size);
	*len = img->head_len + n + name_len + img->tail_len;
	p = code = xmalloc(*len);
	memcpy(p, img->head, img->head_len);
	p += img->head_len;
	memcpy(p, size, n);
	p += n;
	memcpy(p, chunkname, name_len);
	p += name_len;
	memcpy(p, img->tail, img->tail_len);
	return code;
}

int ag_policy_digest(const char *buf, size_t len, char out[AG_SHA256_HEX_LEN])
{
	const struct ag_policy_image *img = ag_policy_image_find(buf, len);

	if (img) {
		memcpy(out, img->sha256, AG_SHA256_HEX_LEN);
		return 0;
	}
	return ag_sha256_hex(buf, len, out);
}
