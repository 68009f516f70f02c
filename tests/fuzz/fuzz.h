/* fuzz.h - what every libFuzzer harness under tests/fuzz shares.
 *
 * A harness feeds one parser the fuzzer's bytes through the module's
 * public header only, and abort()s (a crash libFuzzer records) when an
 * invariant the parser promises does not hold, e.g. a round trip that is
 * not canonical-equal.  Sanitizer reports are crashes too.
 */
#ifndef APGATE_FUZZ_H
#define APGATE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant with the texts that differ, then crash. */
#define FUZZ_FAIL(...)                                                      \
	do {                                                                \
		fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);     \
		fputc('\n', stderr);                                        \
		abort();                                                    \
	} while (0)

#define FUZZ_ASSERT(cond, ...)                                              \
	do {                                                                \
		if (!(cond))                                                \
			FUZZ_FAIL(__VA_ARGS__);                             \
	} while (0)

#endif
