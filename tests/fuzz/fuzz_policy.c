/* fuzz_policy - policy text as written: the fuzzer mutates real and
 * hostile policies (corpus) with the API's names (fuzz_policy.dict). */
#include "config.h"

#include "fuzz.h"
#include "fuzz_lua.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_lua_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lua_run((const char *)data, size);
	return 0;
}
