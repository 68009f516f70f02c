/* commands.h - the subcommands of apgate(1); each returns an exit status
 * from exitcode.h. */
#ifndef APGATE_COMMANDS_H
#define APGATE_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_show(int argc, char **argv);

#endif
