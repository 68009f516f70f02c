/* policyimage.h - the default rules compiled at build time, built into the
 * binary, so that a check does not compile and hash them on every run.
 *
 * Compiling the default rules was a quarter of a check's instructions and
 * hashing them a tenth (issue 11).  `gen-policy-images` compiles each
 * .lua file of the source tree's policies/ with the Lua library of the build,
 * dumps the function with its debug information (line numbers stay
 * exact), hashes the source and writes the lot into policy_images.c.
 *
 * An image stands in for a file only when the file's bytes are the image's
 * source, byte for byte: then the digest is the image's and the code is
 * what compiling the file would give.  Any other file (a site rule, an
 * edited default) is hashed and compiled from text as before.  Bytecode is
 * loaded only from these images, never from a file: crafted bytecode can
 * crash the Lua VM, but these bytes were made by this build.
 */
#ifndef APGATE_POLICYIMAGE_H
#define APGATE_POLICYIMAGE_H

#include <stddef.h>

#include "digest.h"

struct ag_policy_image {
	const char *name;		/* file name in policies/, for tests */
	const char *source;		/* the file's exact bytes */
	size_t source_len;
	const char *sha256;		/* of source, lowercase hex */
	/* lua_dump output around the main function's source name, which is
	 * spliced in at load time so messages name the file as loaded:
	 * head = header and upvalue count, tail = everything after the
	 * name. */
	const unsigned char *head;
	size_t head_len;
	const unsigned char *tail;
	size_t tail_len;
};

/* The images of this build (policy_images.c, generated). */
extern const struct ag_policy_image ag_policy_images[];
extern const size_t ag_n_policy_images;
/* lua_ident of the Lua library the images were compiled with. */
extern const char ag_policy_images_lua_ident[];

/* The image whose source is exactly buf[0..len), or NULL.  NULL as well
 * when the Lua library running now is not the one that made the images
 * (its bytecode might differ). */
const struct ag_policy_image *ag_policy_image_find(const char *buf,
						   size_t len);

/* SHA-256 of a policy file's bytes: the image's when there is one. */
int ag_policy_digest(const char *buf, size_t len,
		     char out[AG_SHA256_HEX_LEN]);

/* The image's bytecode with chunkname ("@path") as the main function's
 * source; malloc'd, *len set. */
unsigned char *ag_policy_image_code(const struct ag_policy_image *img,
				    const char *chunkname, size_t *len);

/* Lua 5.4's dump encoding of a string's size (ldump.c dumpSize of size +
 * 1: 7 bits a byte, most significant first, the last byte marked with
 * 0x80) into out (at least AG_DUMP_SIZE_MAX bytes); returns the bytes
 * written.  Inline so the generator and the splice share it. */
#define AG_DUMP_SIZE_MAX 10
static inline size_t ag_dump_size_encode(size_t size, unsigned char *out)
{
	unsigned char buf[AG_DUMP_SIZE_MAX];
	size_t n = 0, i;

	size += 1;
	do {
		buf[AG_DUMP_SIZE_MAX - ++n] = size & 0x7f;
		size >>= 7;
	} while (size != 0);
	buf[AG_DUMP_SIZE_MAX - 1] |= 0x80;
	for (i = 0; i < n; i++)
		out[i] = buf[AG_DUMP_SIZE_MAX - n + i];
	return n;
}

#endif
