/*
 * unit.h - what every unit test includes: cmocka, and the few helpers the
 * tests share.  Tests run under AddressSanitizer and UBSan (see Makefile);
 * tests/run runs them with CMOCKA_MESSAGE_OUTPUT=TAP and counts the results.
 */
#ifndef BELAY_UNIT_H
#define BELAY_UNIT_H

#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the three above first */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_TESTS(tests) cmocka_run_group_tests(tests, NULL, NULL)

#endif
