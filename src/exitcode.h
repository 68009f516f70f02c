/* exitcode.h - the one fixed table of apgate's exit statuses.
 *
 * libvirt only distinguishes zero from non-zero; people and CI systems need
 * to tell a refusal from a tool failure, so each outcome has its own code.
 */
#ifndef APGATE_EXITCODE_H
#define APGATE_EXITCODE_H

enum ag_exit {
	AG_EXIT_OK = 0,		/* accept or warn; command succeeded */
	AG_EXIT_REJECT = 1,	/* verdict reject; validate found bad input */
	AG_EXIT_ERROR = 2,	/* error: bad input, policy failure, usage */
	AG_EXIT_WARN = 3,	/* verdict warn with --fail-on-warn */
};

#endif
