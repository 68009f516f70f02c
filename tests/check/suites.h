/* suites.h - every Check suite of the unit test binary, one per module. */
#ifndef APGATE_TEST_SUITES_H
#define APGATE_TEST_SUITES_H

#include <check.h>

Suite *suite_apqn(void);
Suite *suite_yamltree(void);
Suite *suite_descriptor(void);
Suite *suite_sandbox(void);
Suite *suite_engine(void);
Suite *suite_policyimage(void);
Suite *suite_rules(void);
Suite *suite_collect(void);
Suite *suite_hook(void);
Suite *suite_audit(void);
Suite *suite_auditsyslog(void);
Suite *suite_auditbound(void);
Suite *suite_policytools(void);
Suite *suite_labels(void);
Suite *suite_inventory(void);
Suite *suite_place(void);
Suite *suite_textsafe(void);

#endif
