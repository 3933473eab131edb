/* Shared by the v1 (Hadoop 1.x) engine tests: the recorded sessions. */
#ifndef HADOOFUS_TEST_C_V1_UTIL_H
#define HADOOFUS_TEST_C_V1_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* The whole of tests/c/data/<name> (malloc'ed); exits when missing. */
static inline uint8_t *
load(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", HADOOFUS_TEST_DATA, name);
	uint8_t *b = check_slurp(path, len);
	if (b == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	return b;
}

#endif
