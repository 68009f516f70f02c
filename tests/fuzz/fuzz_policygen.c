/* fuzz_policygen - generated policies that call every C function a policy
 * can reach with values of every type.
 *
 * The fuzzer's bytes are a program: each step picks an operation (call a
 * built-in or API function, call a value, index, assign, take the length,
 * iterate, call a view method, report a finding) and its operands, from a
 * pool of values (views, iterators, the results of earlier steps) and of
 * literals of every type.  Steps run both while the file loads and inside
 * a rule's check, each under pcall, so one failing step does not hide the
 * rest.  A type confusion in a C function shows as a sanitizer crash.
 * The text run is printed by running the harness on a crash input with
 * FUZZ_PRINT=1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_lua.h"

static const char *const fns[] = {
	"pairs", "ipairs", "next", "spairs", "select", "tostring", "tonumber",
	"type", "rawequal", "rawlen", "getmetatable", "setmetatable",
	"assert", "error", "pcall", "xpcall", "rule", "disable", "reject",
	"warn", "note", "print", "apqn.parse", "apqn.format", "V[3] and V[3].time",
	"string.rep", "string.format", "string.find", "string.gsub",
	"string.sub", "string.byte", "string.char", "string.len",
	"table.concat", "table.insert", "table.remove", "table.sort",
	"table.unpack", "table.pack", "table.move", "math.floor",
	"math.tointeger", "math.max", "utf8.char", "utf8.codepoint",
	"utf8.len", "utf8.offset", "utf8.codes",
	"(select(1, pairs(string)))", "(select(1, pairs(V[4] or {})))",
	"(select(1, ipairs(V[5] or {})))", "(select(1, spairs(V[4] or {})))",
	"(select(1, pairs(ap_functions)))", "(select(1, utf8.codes('ab')))",
};
static const char *const methods[] = {
	"apqns", "has_apqn", "queue", "card", "generation", "functions",
};
static const char *const literals[] = {
	"nil", "true", "false", "0", "-1", "1", "5", "255", "256", "0x4747",
	"0x414141414140", "math.maxinteger", "math.mininteger", "1.5",
	"0/0", "1/0", "-0.0", "''", "'05.0004'", "'06.0047'", "'ff.00ff'",
	"'x'", "'%s%d%'", "'\\xff\\x00\\x1b[2J\\n'", "('a'):rep(300)",
	"{}", "{1, 2, 3}", "{ apqn = '05.0004' }", "{ id = 'g.x' }",
	"{ evidence = { a = 1 } }", "function() end",
	"function(...) return ... end",
	"setmetatable({}, { __index = function() return 1 end })", "'CCA'", "'src'", "'queues'",
};
#define N_SLOTS 24

struct gen {
	const uint8_t *d;
	size_t n, pos;
	char *out;
	size_t len;
	FILE *f;
};

static unsigned next_byte(struct gen *g)
{
	return g->pos < g->n ? g->d[g->pos++] : 0;
}

#define PICK(g, arr) (arr)[next_byte(g) % (sizeof(arr) / sizeof((arr)[0]))]

/* An operand: a pool slot or a literal. */
static void operand(struct gen *g)
{
	unsigned b = next_byte(g);

	if (b & 1)
		fprintf(g->f, "V[%u]", (b >> 1) % N_SLOTS + 1);
	else
		fprintf(g->f, "(%s)", literals[(b >> 1) % (sizeof(literals) /
						sizeof(literals[0]))]);
}

static void args(struct gen *g, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		fputs(", ", g->f);
		operand(g);
	}
}

/* One step; results land in slot k and k+1. */
static void step(struct gen *g)
{
	unsigned op = next_byte(g) % 9, k = next_byte(g) % N_SLOTS + 1;

	fprintf(g->f, "  S(%u, pcall(", k);
	switch (op) {
	case 0:
	case 1:
		fputs(PICK(g, fns), g->f);
		args(g, next_byte(g) % 4);
		break;
	case 2:
		operand(g);
		args(g, next_byte(g) % 3);
		break;
	case 3:
		fputs("function() return ", g->f);
		operand(g);
		fputs("[", g->f);
		operand(g);
		fputs("] end", g->f);
		break;
	case 4:
		fputs("function() ", g->f);
		operand(g);
		fputs("[", g->f);
		operand(g);
		fputs("] = ", g->f);
		operand(g);
		fputs(" end", g->f);
		break;
	case 5:
		fputs("function() return #", g->f);
		operand(g);
		fputs(", ", g->f);
		operand(g);
		fputs(" .. ", g->f);
		operand(g);
		fputs(", ", g->f);
		operand(g);
		fputs(" < ", g->f);
		operand(g);
		fputs(" end", g->f);
		break;
	case 6:
		fputs("function(t) return t:", g->f);
		fputs(PICK(g, methods), g->f);
		fputs("(", g->f);
		operand(g);
		fputs(") end, ", g->f);
		operand(g);
		break;
	case 7:
		fputs("function(t) for a, b in pairs(t) do V[1 + #V % 24] = a; "
		      "V[1 + (#V + 1) % 24] = b; break end end, ", g->f);
		operand(g);
		break;
	default:
		fputs(PICK(g, ((const char *const[]){ "reject", "warn",
						       "note" })), g->f);
		fputs(", ", g->f);
		operand(g);
		fputs(", { apqn = ", g->f);
		operand(g);
		fputs(", evidence = ", g->f);
		operand(g);
		fputs(" }", g->f);
		break;
	}
	fputs("))\n", g->f);
}

static char *generate(const uint8_t *data, size_t size, size_t *len)
{
	struct gen g = { .d = data, .n = size };
	unsigned i, at_load;

	g.f = open_memstream(&g.out, &g.len);
	FUZZ_ASSERT(g.f, "open_memstream");
	fputs("local V = { nil, nil, nil, nil, nil, nil, string, apqn, "
	      "ap_functions }\n"
	      "local function S(k, ok, a, b)\n"
	      "  if ok then V[k] = a; V[k % 24 + 1] = b end\n"
	      "end\n", g.f);
	at_load = next_byte(&g) % 8;
	for (i = 0; i < at_load && g.pos < g.n; i++)
		step(&g);
	fputs("rule{ id = 'gen.r', check = function(src, tgt, ctx)\n"
	      "  V[1], V[2], V[3] = src, tgt, ctx\n"
	      "  V[4], V[5], V[6] = src.queues, src.cards, src.mdev\n"
	      "  V[10], V[11] = ctx.params, src.blocks\n"
	      "  V[12], V[13] = next(src.queues)\n", g.f);
	for (i = 0; i < 64 && g.pos < g.n; i++)
		step(&g);
	fputs("end }\n", g.f);
	fclose(g.f);
	*len = g.len;
	return g.out;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_lua_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *text = generate(data, size, &len);

	if (getenv("FUZZ_PRINT"))
		fprintf(stderr, "--- generated policy:\n%s", text);
	fuzz_lua_run(text, len);
	free(text);
	return 0;
}
