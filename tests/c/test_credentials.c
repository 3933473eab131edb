/* Token files: hand-made Writable bytes (the vint forms Java writes at each
 * size edge), both formats round-tripped, every truncation refused with
 * the object left as it was. tests/test_tokens.py checks against Java. */
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hadoofus/credentials.h"
#include "hadoofus/namenode.h"

/* "HDTS", format 0; one token aliased "a": identifier of 300 bytes (vint
 * 0x8e 0x01 0x2c), password "pw", kind "K", service "s:1"; one secret
 * "k" = 200 bytes (vint 0x8f 0xc8: a two-byte vint for one byte of size). */
static size_t
handmade(uint8_t *b)
{
	size_t n = 0;
	memcpy(b, "HDTS\0", 5);
	n = 5;
	b[n++] = 1;                             /* one token */
	b[n++] = 1; b[n++] = 'a';
	b[n++] = 0x8e; b[n++] = 0x01; b[n++] = 0x2c;
	for (int i = 0; i < 300; i++)
		b[n++] = (uint8_t)i;
	b[n++] = 2; b[n++] = 'p'; b[n++] = 'w';
	b[n++] = 1; b[n++] = 'K';
	b[n++] = 3; memcpy(b + n, "s:1", 3); n += 3;
	b[n++] = 1;                             /* one secret */
	b[n++] = 1; b[n++] = 'k';
	b[n++] = 0x8f; b[n++] = 0xc8;
	memset(b + n, 0x5a, 200);
	n += 200;
	return n;
}

static void
check_contents(const struct hdfs_credentials *c)
{
	CHECK(hdfs_credentials_num_tokens(c) == 1);
	const struct hdfs_token *t = hdfs_credentials_token_at(c, 0);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(strcmp(t->alias, "a") == 0);
	CHECK(t->identifier_len == 300 && t->identifier[299] == (uint8_t)299);
	CHECK(t->password_len == 2 && memcmp(t->password, "pw", 2) == 0);
	CHECK(strcmp(t->kind, "K") == 0 && strcmp(t->service, "s:1") == 0);
	CHECK(hdfs_credentials_find_token(c, "K", "s:1") == t);
	CHECK(hdfs_credentials_find_token(c, "K", "s:2") == NULL);
	const char *alias;
	const uint8_t *data;
	size_t len;
	CHECK(hdfs_credentials_num_secrets(c) == 1);
	CHECK(hdfs_credentials_secret_at(c, 0, &alias, &data, &len) == 0);
	CHECK(strcmp(alias, "k") == 0 && len == 200 && data[199] == 0x5a);
	CHECK(hdfs_credentials_secret_at(c, 1, &alias, &data, &len) == HDFS_ENOTFOUND);
}

/* Java's DelegationTokenSelector over a handle's NameNodes (no connect). */
static void
check_select(void)
{
	struct hdfs_credentials *c;
	struct hdfs_namenode *nn;
	const char *hosts[] = { "localhost", "127.0.0.2" };
	int ports[] = { 9000, 9001 };
	CHECK(hdfs_credentials_new(&c) == 0);
	CHECK(hdfs_namenode_new_ha(&nn, hosts, ports, 2, "u") == 0);
	CHECK(hdfs_namenode_select_token(nn, c, NULL) == NULL);
	struct hdfs_token t = { .kind = "OTHER_KIND", .service = "127.0.0.1:9000" };
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	CHECK(hdfs_namenode_select_token(nn, c, NULL) == NULL);
	t.kind = "HDFS_DELEGATION_TOKEN";
	t.service = "127.0.0.1:9001";           /* right address, wrong port */
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	CHECK(hdfs_namenode_select_token(nn, c, NULL) == NULL);
	t.service = "127.0.0.1:9000";           /* localhost, by its IP (use_ip) */
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	const struct hdfs_token *got = hdfs_namenode_select_token(nn, c, NULL);
	CHECK(got && strcmp(got->service, "127.0.0.1:9000") == 0);
	t.service = "127.0.0.2:9001";           /* the second NameNode's */
	t.alias = "second";
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	t.service = "ha-hdfs:ns1";              /* the nameservice's own wins */
	t.alias = NULL;
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	got = hdfs_namenode_select_token(nn, c, "ns1");
	CHECK(got && strcmp(got->service, "ha-hdfs:ns1") == 0);
	got = hdfs_namenode_select_token(nn, c, "ns2");
	CHECK(got && strcmp(got->service, "127.0.0.1:9000") == 0);
	CHECK(hdfs_namenode_set_token(nn, got) == 0);
	CHECK(hdfs_namenode_set_token(nn, NULL) == 0);
	hdfs_namenode_free(nn);
	hdfs_credentials_free(c);

	/* "host:port" as written in the URI matches too. */
	CHECK(hdfs_credentials_new(&c) == 0);
	CHECK(hdfs_namenode_new(&nn, "localhost", 9000, "u") == 0);
	t.service = "localhost:9000";
	t.alias = NULL;
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	got = hdfs_namenode_select_token(nn, c, NULL);
	CHECK(got && strcmp(got->service, "localhost:9000") == 0);
	hdfs_namenode_free(nn);
	hdfs_credentials_free(c);
}

int
main(void)
{
	static uint8_t file[1024], out[1024];
	size_t n = handmade(file), m;
	struct hdfs_credentials *c;
	CHECK(hdfs_credentials_new(&c) == 0);
	CHECK(hdfs_credentials_parse(c, file, n) == 0);
	check_contents(c);

	/* Written back byte for byte; sizing call first. */
	CHECK(hdfs_credentials_serialize(c, HDFS_CREDENTIALS_WRITABLE, NULL, 0, &m) ==
	    HDFS_ETOOBIG && m == n);
	CHECK(hdfs_credentials_serialize(c, HDFS_CREDENTIALS_WRITABLE, out, sizeof(out), &m) == 0);
	CHECK(m == n && memcmp(out, file, n) == 0);
	CHECK(hdfs_credentials_serialize(c, 7, out, sizeof(out), &m) == HDFS_EINVAL);

	/* Protobuf: read back the same. */
	CHECK(hdfs_credentials_serialize(c, HDFS_CREDENTIALS_PROTOBUF, out, sizeof(out), &m) == 0);
	CHECK(memcmp(out, "HDTS\1", 5) == 0);
	struct hdfs_credentials *p;
	CHECK(hdfs_credentials_new(&p) == 0);
	CHECK(hdfs_credentials_parse(p, out, m) == 0);
	check_contents(p);

	/* Every prefix of either format is refused and changes nothing. */
	for (size_t i = 0; i < n; i++)
		CHECK(hdfs_credentials_parse(c, file, i) == HDFS_EPROTO);
	for (size_t i = 0; i < m; i++)
		CHECK(hdfs_credentials_parse(p, out, i) == HDFS_EPROTO);
	check_contents(c);
	check_contents(p);
	CHECK(strstr(hdfs_credentials_error_message(c), "truncated") != NULL);
	CHECK(hdfs_credentials_parse(c, file, 3) == HDFS_EPROTO);
	CHECK(strstr(hdfs_credentials_error_message(c), "HDTS") != NULL);
	file[4] = 9;
	CHECK(hdfs_credentials_parse(c, file, n) == HDFS_EPROTO);
	CHECK(strstr(hdfs_credentials_error_message(c), "format 9") != NULL);
	file[4] = 0;

	/* Same alias replaces; a NULL alias is the service. */
	struct hdfs_token t = { .alias = "a", .identifier = (const uint8_t *)"id",
	    .identifier_len = 2, .kind = "K2", .service = "s:2" };
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	CHECK(hdfs_credentials_num_tokens(c) == 1);
	CHECK(strcmp(hdfs_credentials_token_at(c, 0)->kind, "K2") == 0);
	CHECK(hdfs_credentials_token_at(c, 0)->password_len == 0);
	t.alias = NULL;
	CHECK(hdfs_credentials_add_token(c, &t) == 0);
	CHECK(hdfs_credentials_num_tokens(c) == 2);
	CHECK(strcmp(hdfs_credentials_token_at(c, 1)->alias, "s:2") == 0);
	t.kind = NULL;
	CHECK(hdfs_credentials_add_token(c, &t) == HDFS_EINVAL);
	CHECK(hdfs_credentials_add_secret(c, "k", (const uint8_t *)"x", 1) == 0);
	CHECK(hdfs_credentials_num_secrets(c) == 1);

	/* Files: written 0600, read back. */
	char path[] = "/tmp/hadoofus-creds-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK(hdfs_credentials_write_file(c, path, HDFS_CREDENTIALS_WRITABLE) == 0);
	struct hdfs_credentials *r;
	CHECK(hdfs_credentials_new(&r) == 0);
	CHECK(hdfs_credentials_read_file(r, path) == 0);
	CHECK(hdfs_credentials_num_tokens(r) == 2 && hdfs_credentials_num_secrets(r) == 1);
	unlink(path);
	CHECK(hdfs_credentials_read_file(r, path) == HDFS_EIO);
	CHECK(strstr(hdfs_credentials_error_message(r), path) != NULL);

	hdfs_credentials_free(r);
	hdfs_credentials_free(p);
	hdfs_credentials_free(c);
	hdfs_credentials_free(NULL);
	check_select();
	return check_done("test_credentials");
}
