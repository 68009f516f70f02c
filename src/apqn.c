/* apqn.c - AP identifier parsing and ID sets. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "apqn.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ag_id_parse(const char *s, unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		p = s + 2;
		if (!*p)
			return -1;
		for (; *p; p++) {
			int h = hexval((unsigned char)*p);

			if (h < 0)
				return -1;
			v = v * 16 + (unsigned)h;
			if (v > AG_MAX_ID)
				return -1;
		}
	} else {
		if (s[0] == '0' && s[1] != '\0')
			return -1;	/* "012" would be octal to the kernel */
		for (p = s; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			v = v * 10 + (unsigned)(*p - '0');
			if (v > AG_MAX_ID)
				return -1;
		}
	}
	*out = (unsigned)v;
	return 0;
}

int ag_apqn_parse(const char *s, unsigned *adapter, unsigned *domain)
{
	unsigned a = 0, d = 0;
	int i;

	if (!s || strlen(s) != 7 || s[2] != '.')
		return -1;
	for (i = 0; i < 7; i++) {
		int h;

		if (i == 2)
			continue;
		/* sysfs prints lowercase; anything else is a different string */
		if (isupper((unsigned char)s[i]))
			return -1;
		h = hexval((unsigned char)s[i]);
		if (h < 0)
			return -1;
		if (i < 2)
			a = a * 16 + (unsigned)h;
		else
			d = d * 16 + (unsigned)h;
	}
	if (d > AG_MAX_ID)
		return -1;
	*adapter = a;
	*domain = d;
	return 0;
}

void ag_apqn_format(unsigned adapter, unsigned domain, char out[AG_APQN_LEN])
{
	/* "%02x.%04x" without printf: views and findings format APQNs by
	 * the hundred per place pair. */
	static const char hex[] = "0123456789abcdef";

	adapter &= 0xff;
	domain &= 0xff;
	out[0] = hex[adapter >> 4];
	out[1] = hex[adapter & 0xf];
	out[2] = '.';
	out[3] = '0';
	out[4] = '0';
	out[5] = hex[domain >> 4];
	out[6] = hex[domain & 0xf];
	out[7] = '\0';
}

void ag_idset_clear(struct ag_idset *set)
{
	memset(set, 0, sizeof(*set));
}

void ag_idset_add(struct ag_idset *set, unsigned id)
{
	if (id <= AG_MAX_ID)
		set->bits[id / 64] |= UINT64_C(1) << (id % 64);
}

bool ag_idset_has(const struct ag_idset *set, unsigned id)
{
	return id <= AG_MAX_ID && (set->bits[id / 64] >> (id % 64)) & 1;
}

unsigned ag_idset_count(const struct ag_idset *set)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < 4; i++)
		n += (unsigned)__builtin_popcountll(set->bits[i]);
	return n;
}

bool ag_idset_equal(const struct ag_idset *a, const struct ag_idset *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

int ag_idset_next(const struct ag_idset *set, unsigned from)
{
	unsigned id;

	for (id = from; id <= AG_MAX_ID; id++)
		if (ag_idset_has(set, id))
			return (int)id;
	return -1;
}
