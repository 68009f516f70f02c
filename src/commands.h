/* commands.h - the subcommands of apgate(1); each returns an exit status
 * from exitcode.h. */
#ifndef APGATE_COMMANDS_H
#define APGATE_COMMANDS_H

int cmd_check(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_show(int argc, char **argv);
/* cmd_collect.c */
int cmd_collect(int argc, char **argv);
/* cmd_place.c */
int cmd_place(int argc, char **argv);
/* cmd_hook.c */
int cmd_hook(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_block(int argc, char **argv);
int cmd_unblock(int argc, char **argv);
int cmd_blocks(int argc, char **argv);
/* cmd_waivers.c */
int cmd_waive(int argc, char **argv);
int cmd_unwaive(int argc, char **argv);
int cmd_waivers(int argc, char **argv);
/* cmd_audit.c */
int cmd_audit(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* cmd_policytools.c */
int cmd_test(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_policies(int argc, char **argv);

#endif
