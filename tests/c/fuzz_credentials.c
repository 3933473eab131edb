/*
 * libFuzzer harness for token files (hdfs_credentials_parse): whatever the
 * bytes, parsing ends in 0 or HDFS_EPROTO with the object unchanged on
 * error; what parses is written back in both formats, and each reads back
 * to the same tokens and secrets (aliases, bytes, kinds, services).
 *
 * Seeds: tests/c/corpus/credentials/ (Writable and protobuf files of the
 * credentials tests/test_tokens.py compares with Java's).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/credentials.h"

static int
same(const struct hdfs_credentials *a, const struct hdfs_credentials *b)
{
	size_t n = hdfs_credentials_num_tokens(a);
	if (n != hdfs_credentials_num_tokens(b) ||
	    hdfs_credentials_num_secrets(a) != hdfs_credentials_num_secrets(b))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct hdfs_token *x = hdfs_credentials_token_at(a, i);
		const struct hdfs_token *y = hdfs_credentials_token_at(b, i);
		if (strcmp(x->alias, y->alias) || strcmp(x->kind, y->kind) ||
		    strcmp(x->service, y->service) || x->identifier_len != y->identifier_len ||
		    x->password_len != y->password_len ||
		    memcmp(x->identifier, y->identifier, x->identifier_len) ||
		    memcmp(x->password, y->password, x->password_len))
			return 0;
	}
	for (size_t i = 0; i < hdfs_credentials_num_secrets(a); i++) {
		const char *aa, *ba;
		const uint8_t *ad, *bd;
		size_t al, bl;
		hdfs_credentials_secret_at(a, i, &aa, &ad, &al);
		hdfs_credentials_secret_at(b, i, &ba, &bd, &bl);
		if (strcmp(aa, ba) || al != bl || memcmp(ad, bd, al))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdfs_credentials *c;
	if (hdfs_credentials_new(&c) != 0)
		return 0;
	int rc = hdfs_credentials_parse(c, data, size);
	if (rc != 0 && rc != HDFS_EPROTO && rc != HDFS_ENOMEM)
		abort();
	if (rc != 0 && (hdfs_credentials_num_tokens(c) || hdfs_credentials_num_secrets(c)))
		abort();   /* a failed parse must leave the object as it was */
	for (int fmt = 0; rc == 0 && fmt <= 1; fmt++) {
		size_t need = 0;
		if (hdfs_credentials_serialize(c, fmt, NULL, 0, &need) != HDFS_ETOOBIG)
			abort();
		uint8_t *buf = malloc(need);
		struct hdfs_credentials *back;
		if (buf == NULL || hdfs_credentials_new(&back) != 0) {
			free(buf);
			break;
		}
		if (hdfs_credentials_serialize(c, fmt, buf, need, &need) != 0 ||
		    hdfs_credentials_parse(back, buf, need) != 0 || !same(c, back))
			abort();
		hdfs_credentials_free(back);
		free(buf);
	}
	hdfs_credentials_free(c);
	return 0;
}
