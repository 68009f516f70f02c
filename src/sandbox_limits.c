/* sandbox_limits.c - a sandbox's instruction budget (a count hook) and its
 * wall-clock time limit (one interval timer and SIGALRM), see
 * sandbox_int.h. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "sandbox_int.h"
#include "textsafe.h"
#include "util.h"

/* Only one protected call runs at a time in apgate's process. */
static struct ag_sandbox *volatile active_sandbox;
static volatile sig_atomic_t fatal_exit_status = 2;

void ag_sandbox_set_fatal_exit(int status)
{
	fatal_exit_status = status;
}

/* The head (about 130 bytes), " in ", a source quoted to 300 characters
 * (360 bytes at most), the line and a newline. */
#define AG_FATAL_MSG_MAX 640

static void write_fatal(const struct ag_sandbox *s);

/* memcpy what still fits: async-signal-safe */
static void append(char *msg, size_t *n, const char *text, size_t len)
{
	if (len > AG_FATAL_MSG_MAX - *n)
		len = AG_FATAL_MSG_MAX - *n;
	memcpy(msg + *n, text, len);
	*n += len;
}

/* Raise a limit error positioned at the running Lua function: inside a
 * hook that is level 0, where luaL_error would look one level too far. */
static void limit_error(lua_State *L, struct ag_sandbox *s)
{
	luaL_where(L, 0);
	if (s->timed_out)
		lua_pushfstring(L, "time limit of %d ms exceeded",
				(int)s->limits.timeout_ms);
	else
		lua_pushfstring(L, "instruction budget of %I exceeded",
				(lua_Integer)s->limits.instructions);
	lua_concat(L, 2);
	lua_error(L);
}

void ag_sbx_count_hook(lua_State *L, lua_Debug *ar)
{
	struct ag_sandbox *s = sandbox_of(L);

	(void)ar;
	if (s->timed_out || s->budget_tripped) {
		lua_sethook(L, ag_sbx_count_hook, LUA_MASKCOUNT, 1);
		limit_error(L, s);
	}
	s->instr_used += (uint64_t)s->hook_step;
	if (s->limits.instructions && s->instr_used >= s->limits.instructions) {
		/* From now on every instruction fails, so a policy that
		 * catches the error cannot make progress. */
		s->budget_tripped = true;
		lua_sethook(L, ag_sbx_count_hook, LUA_MASKCOUNT, 1);
		limit_error(L, s);
	}
}

/* The time limit costs no system call per protected call: one interval
 * timer is left running between calls, and a call only writes its
 * deadline.  When the timer fires before the running call's deadline (it
 * was set for an earlier call), the handler sets it again for the rest;
 * between calls it lets it lapse.  A place run makes thousands of calls,
 * and two setitimer calls each were a tenth of its time. */
static volatile sig_atomic_t timer_armed;
/* The latest deadline the running timer may be set for, as far as the
 * main flow knows (only it writes this). */
static struct timespec timer_due;

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec ts_after_ms(const struct timespec *t, unsigned ms)
{
	struct timespec r = *t;

	r.tv_sec += (time_t)(ms / 1000);
	r.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (r.tv_nsec >= 1000000000L) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000L;
	}
	return r;
}

/* Async-signal-safe: clock_gettime and setitimer are plain system calls. */
static void set_timer_for(const struct timespec *when)
{
	struct itimerval it = { 0 };
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(when->tv_sec - now.tv_sec) * 1000000LL +
	     (when->tv_nsec - now.tv_nsec) / 1000;
	if (us < 1)
		us = 1;		/* zero would disarm it */
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void stop_timer(void)
{
	struct itimerval it = { 0 };

	if (!timer_armed)
		return;
	setitimer(ITIMER_REAL, &it, NULL);
	timer_armed = 0;
}

/* A forked child (place --jobs) has no timer running whatever the
 * parent's flag says. */
static void timer_after_fork(void)
{
	timer_armed = 0;
}

static void on_alarm(int sig)
{
	struct ag_sandbox *s = active_sandbox;
	struct timespec now;

	(void)sig;
	if (!s) {
		timer_armed = 0;	/* between calls: let it lapse */
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!s->timed_out) {
		if (ts_before(&now, &s->deadline)) {
			set_timer_for(&s->deadline);
			return;
		}
		/* lua_sethook is safe to call from a signal handler (lua.c's
		 * laction does the same); the hook raises the error. */
		s->timed_out = 1;
		lua_sethook(s->L, ag_sbx_count_hook, LUA_MASKCOUNT, 1);
		s->grace_end = ts_after_ms(&now, GRACE_MS);
		set_timer_for(&s->grace_end);
		return;
	}
	if (ts_before(&now, &s->grace_end)) {
		set_timer_for(&s->grace_end);
		return;
	}
	/* Still inside a C function (pattern matching, string.rep...) a
	 * grace period later: no way back into Lua, fail closed. */
	write_fatal(s);
	_exit(fatal_exit_status);
}

/* Async-signal-safe: the message is put together with memcpy from texts
 * formatted before the call, and the line number by hand. */
static void write_fatal(const struct ag_sandbox *s)
{
	static char msg[AG_FATAL_MSG_MAX];
	const struct fatal_chunk *c = s->fatal_chunk;
	char digits[16];
	size_t n = 0, k = 0;
	int line = s->fatal_line;

	append(msg, &n, s->fatal_head, s->fatal_head_len);
	if (c && line >= 0) {
		append(msg, &n, c->where, c->where_len);
		do
			digits[k++] = (char)('0' + line % 10);
		while ((line /= 10) > 0 && k < sizeof(digits));
		while (k > 0)
			append(msg, &n, &digits[--k], 1);
	}
	append(msg, &n, "\n", 1);
	if (write(STDERR_FILENO, msg, n) < 0) {
		/* nothing more to do */
	}
}

/* Note, for the handler's message, where the function at fn was defined:
 * no Lua error (which would carry the policy file and line) can be raised
 * inside a C function.  The file's part is formatted once per chunk and
 * the rest only by the handler, if ever: a check makes a protected call
 * per rule. */
static void note_fatal_where(struct ag_sandbox *s, int fn)
{
	struct fatal_chunk *c;
	const char *source;
	lua_Debug ar;
	size_t i;

	if (!s->fatal_head) {
		s->fatal_head = xasprintf("apgate: error: policy evaluation "
					  "exceeded its time limit of %u ms "
					  "inside a library call; stopped "
					  "(limits.timeout_ms, --time-limit)",
					  s->limits.timeout_ms);
		s->fatal_head_len = strlen(s->fatal_head);
	}
	s->fatal_line = -1;
	lua_pushvalue(s->L, fn);
	if (!lua_getinfo(s->L, ">S", &ar) || ar.source[0] != '@')
		return;
	source = ar.source + 1;
	for (i = 0; i < s->n_fatal; i++) {
		c = &s->fatal_chunks[i];
		if (strcmp(c->source, source) == 0)
			goto found;
	}
	s->fatal_chunks = xgrow(s->fatal_chunks, &s->cap_fatal,
				s->n_fatal + 1, sizeof(*s->fatal_chunks));
	c = &s->fatal_chunks[s->n_fatal++];
	{
		char quoted[360];

		ag_quote_safe(source, 300, quoted, sizeof(quoted));
		c->source = xstrdup(source);
		c->where = xasprintf(" in %s:", quoted);
		c->where_len = strlen(c->where);
	}
found:
	s->fatal_chunk = c;
	s->fatal_line = ar.linedefined;
}

/* Start the time limit of a protected call of the function at fn. */
void ag_sbx_arm(struct ag_sandbox *s, int fn)
{
	static bool atfork_done;
	struct timespec now;

	if (!s->limits.timeout_ms)
		return;
	if (!atfork_done) {
		pthread_atfork(NULL, NULL, timer_after_fork);
		atfork_done = true;
	}
	note_fatal_where(s, fn);
	clock_gettime(CLOCK_MONOTONIC, &now);
	s->deadline = ts_after_ms(&now, s->limits.timeout_ms);
	s->timed_out = 0;
	/* Everything the handler reads is written before it can see s. */
	atomic_signal_fence(memory_order_seq_cst);
	active_sandbox = s;
	/* A timer already running fires at timer_due at the latest, no later
	 * than this deadline: the handler then sets it for the rest. */
	if (timer_armed && !ts_before(&s->deadline, &timer_due)) {
		timer_due = s->deadline;
		return;
	}
	timer_due = s->deadline;
	timer_armed = 1;
	set_timer_for(&s->deadline);
}

/* End a protected call.  The timer keeps running unless the call timed
 * out: its grace period must not outlive the call. */
void ag_sbx_disarm(struct ag_sandbox *s)
{
	active_sandbox = NULL;
	atomic_signal_fence(memory_order_seq_cst);
	if (s->timed_out)
		stop_timer();
}

void ag_sandbox_idle(struct ag_sandbox *s)
{
	(void)s;
	stop_timer();
}

void ag_sbx_catch_alarm(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	/* The timer outlives protected calls: a late tick must not fail an
	 * unrelated read or write with EINTR. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

void ag_sbx_forget(struct ag_sandbox *s)
{
	size_t i;

	if (active_sandbox == s)
		active_sandbox = NULL;
	stop_timer();
	for (i = 0; i < s->n_fatal; i++) {
		free(s->fatal_chunks[i].source);
		free(s->fatal_chunks[i].where);
	}
	free(s->fatal_chunks);
	s->fatal_chunks = NULL;
	s->fatal_chunk = NULL;
	s->n_fatal = s->cap_fatal = 0;
	free(s->fatal_head);
	s->fatal_head = NULL;
}
