/* fuzz_lua.h - running one untrusted policy text the way `apgate check`
 * does, for the policy harnesses (fuzz_policy, fuzz_policygen). */
#ifndef APGATE_FUZZ_LUA_H
#define APGATE_FUZZ_LUA_H

#include <stddef.h>

/* Load the example descriptors the policies are evaluated against. */
void fuzz_lua_init(void);

/* Load text as a policy file, then a probe file, evaluate every rule and
 * check what must hold whatever the policy does: no crash (sanitizers),
 * no escape (the probe still sees the sandbox's globals untouched), a
 * verdict that is one of accept, warn, reject, error. */
void fuzz_lua_run(const char *text, size_t len);

#endif
