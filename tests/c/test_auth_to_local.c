/* hdfs_auth_to_local: the rule language's corners (the full table is
 * checked against Java in tests/test_auth_to_local.py), its errors and
 * messages, the default realm from krb5.conf, and maps from several
 * threads at once; under ASan in CI, for the parser and the substitution
 * loop's memory. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hadoofus/auth_to_local.h"
#include "check.h"

static const char RULES[] =
    "RULE:[1:$1@$0](.*@OTHER\\.ORG)s/@.*///L\n"
    "RULE:[2:$1@$0]([nd]n@EXAMPLE\\.COM)s/.*/hdfs/\n"
    "RULE:[1:$1](zz[a-z]*)s/q*/-/g\n"
    "RULE:[1:$1](svc-.*)s/-(\\w)/_$1/g   RULE:[1:$1](grp.*)s/(grp)/$10/\n"
    "DEFAULT/L";

/* The short name, or "!<code>" on failure. */
static const char *
map(struct hdfs_auth_to_local *a, const char *p, char *buf, size_t len)
{
	int rc = hdfs_auth_to_local_map(a, p, buf, len, NULL);
	if (rc)
		snprintf(buf, len, "!%d", rc);
	return buf;
}

static bool
message_has(struct hdfs_auth_to_local *a, const char *text)
{
	char m[512];
	return strstr(hdfs_auth_to_local_error_message(a, m, sizeof(m)), text) != NULL;
}

static void *
worker(void *arg)
{
	struct hdfs_auth_to_local *a = arg;
	char b[64];
	for (int i = 0; i < 2000; i++) {
		CHECK(strcmp(map(a, "Zoe@OTHER.ORG", b, sizeof(b)), "zoe") == 0);
		CHECK(strcmp(map(a, "zzab@R", b, sizeof(b)), "-z-z-a-b-") == 0);
		CHECK(strcmp(map(a, "eve@NOWHERE", b, sizeof(b)), "!-15") == 0);
	}
	return NULL;
}

int
main(void)
{
	struct hdfs_auth_to_local *a;
	char b[256];
	CHECK(hdfs_auth_to_local_new(&a) == 0);
	CHECK(hdfs_auth_to_local_set_rules(a, RULES) == 0);
	CHECK(hdfs_auth_to_local_set_default_realm(a, "EXAMPLE.COM") == 0);
	CHECK(strcmp(map(a, "Alice@OTHER.ORG", b, sizeof(b)), "alice") == 0);
	CHECK(strcmp(map(a, "nn/h@EXAMPLE.COM", b, sizeof(b)), "hdfs") == 0);
	CHECK(strcmp(map(a, "zzab@R", b, sizeof(b)), "-z-z-a-b-") == 0);
	CHECK(strcmp(map(a, "svc-a-b@R", b, sizeof(b)), "svc_a_b") == 0);
	CHECK(strcmp(map(a, "grpx@R", b, sizeof(b)), "grp0x") == 0);
	CHECK(strcmp(map(a, "Carol/h@EXAMPLE.COM", b, sizeof(b)), "Carol") == 0);
	CHECK(strcmp(map(a, "plain", b, sizeof(b)), "plain") == 0);
	CHECK(hdfs_auth_to_local_map(a, "eve@NOWHERE", b, sizeof(b), NULL) == HDFS_ENOTFOUND);
	CHECK(message_has(a, "No rules applied to eve@NOWHERE"));
	CHECK(hdfs_auth_to_local_map(a, "a@b@c", b, sizeof(b), NULL) == HDFS_EINVAL);
	CHECK(message_has(a, "Malformed Kerberos name: a@b@c"));
	size_t need = 0;
	CHECK(hdfs_auth_to_local_map(a, "Alice@OTHER.ORG", b, 3, &need) == HDFS_ETOOBIG);
	CHECK(need == 6);

	/* Several threads on one handle. */
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, worker, a) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);

	/* A bad rule set leaves the old one. */
	CHECK(hdfs_auth_to_local_set_rules(a, "RULE:[1:$1](a[) DEFAULT") == HDFS_EINVAL);
	CHECK(message_has(a, "invalid regular expression a["));
	CHECK(hdfs_auth_to_local_set_rules(a, "RULE:[1:$1]s/a/b DEFAULT") == HDFS_EINVAL);
	CHECK(message_has(a, "invalid auth_to_local rule: s/a/b DEFAULT"));
	CHECK(strcmp(map(a, "Alice@OTHER.ORG", b, sizeof(b)), "alice") == 0);
	/* Errors while applying. */
	CHECK(hdfs_auth_to_local_set_rules(a, "RULE:[1:$2] RULE:[2:$] RULE:[1:$1@$0](x@R)s/x/$3/")
	    == 0);
	CHECK(hdfs_auth_to_local_map(a, "a@R", b, sizeof(b), NULL) == HDFS_EINVAL);
	CHECK(message_has(a, "outside of the valid range 0 to 1"));
	CHECK(hdfs_auth_to_local_map(a, "a/b@R", b, sizeof(b), NULL) == HDFS_EINVAL);
	CHECK(message_has(a, "bad format in username mapping"));
	/* mechanism MIT: non-simple results and unmapped principals pass. */
	CHECK(hdfs_auth_to_local_set_rules(a, "RULE:[2:$1/$2@$0]") == 0);
	CHECK(hdfs_auth_to_local_set_mechanism(a, "Mit") == 0);
	CHECK(strcmp(map(a, "s/h@R", b, sizeof(b)), "s/h@R") == 0);
	CHECK(strcmp(map(a, "eve@R", b, sizeof(b)), "eve@R") == 0);
	CHECK(hdfs_auth_to_local_set_mechanism(a, "hadoop") == 0);
	CHECK(hdfs_auth_to_local_map(a, "s/h@R", b, sizeof(b), NULL) == HDFS_ENOTFOUND);
	CHECK(message_has(a, "Non-simple name s/h@R after auth_to_local rule RULE:[2:$1/$2@$0]"));
	CHECK(hdfs_auth_to_local_set_mechanism(a, "kerberos") == HDFS_EINVAL);
	hdfs_auth_to_local_free(a);

	/* The default realm from krb5.conf ($KRB5_CONFIG), and from conf. */
	char path[] = "/tmp/hadoofus-a2l-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static const char krb5[] = "[libdefaults]\n default_realm = FROM.KRB5\n";
	CHECK(write(fd, krb5, sizeof(krb5) - 1) == (ssize_t)(sizeof(krb5) - 1));
	close(fd);
	setenv("KRB5_CONFIG", path, 1);
	struct hdfs_conf *conf;
	CHECK(hdfs_conf_new(&conf) == 0);
	CHECK(hdfs_conf_set(conf, "hadoop.security.auth_to_local",
	    "RULE:[1:$1@$0](root@.*)s/.*/nobody/ DEFAULT") == 0);
	CHECK(hdfs_auth_to_local_new(&a) == 0);
	CHECK(hdfs_auth_to_local_load_conf(a, conf) == 0);
	CHECK(strcmp(map(a, "bob@FROM.KRB5", b, sizeof(b)), "bob") == 0);
	CHECK(strcmp(map(a, "root@ANY", b, sizeof(b)), "nobody") == 0);
	CHECK(hdfs_auth_to_local_map(a, "bob@ELSEWHERE", b, sizeof(b), NULL) == HDFS_ENOTFOUND);
	CHECK(hdfs_conf_set(conf, "hadoop.security.auth_to_local.mechanism", " MIT ") == 0);
	CHECK(hdfs_auth_to_local_load_conf(a, conf) == 0);
	CHECK(strcmp(map(a, "bob@ELSEWHERE", b, sizeof(b)), "bob@ELSEWHERE") == 0);
	hdfs_auth_to_local_free(a);
	hdfs_conf_free(conf);
	unlink(path);
	hdfs_auth_to_local_free(NULL);
	return check_done("test_auth_to_local");
}
