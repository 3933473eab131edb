/* Hadoop XML configuration: loading, overrides, expansion, NameNode lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hadoofus/conf.h"
#include "check.h"

static char dir[] = "/tmp/hadoofus-conf-XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static const char *
get(struct hdfs_conf *c, const char *name)
{
	static char buf[1024];
	return hdfs_conf_get(c, name, buf, sizeof(buf), NULL) == 0 ? buf : NULL;
}

#define PROP(n, v) "<property><name>" n "</name><value>" v "</value></property>\n"

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 2;
	write_file("core-site.xml", "<?xml version=\"1.0\"?>\n<configuration>\n"
	    PROP("fs.defaultFS", "hdfs://mycluster")
	    PROP(" a.size ", "64m")
	    "<property><name>locked</name><value>one</value><final>true</final></property>\n"
	    PROP("base", "/data")
	    PROP("derived", "${base}/x and ${env.HADOOFUS_TEST_VAR} and ${nope}")
	    PROP("loop", "${loop}")
	    PROP("flag", "TRUE")
	    "</configuration>\n");
	write_file("hdfs-site.xml", "<configuration>\n"
	    PROP("locked", "two")
	    PROP("base", "/override")
	    PROP("dfs.nameservices", "other, mycluster")
	    PROP("dfs.ha.namenodes.mycluster", "nn1,nn2")
	    PROP("dfs.namenode.rpc-address.mycluster.nn1", "host1:8020")
	    PROP("dfs.namenode.rpc-address.mycluster.nn2", "host2:9000")
	    PROP("dfs.namenode.rpc-address.other", "[::1]:7000")
	    PROP("bad.int", "12q")
	    "</configuration>\n");
	write_file("broken.xml", "<configuration><property><name>x</name>\n<value>y</valu></property>");

	setenv("HADOOP_CONF_DIR", dir, 1);
	setenv("HADOOFUS_TEST_VAR", "env!", 1);
	struct hdfs_conf *c;
	CHECK(hdfs_conf_new(&c) == 0);
	CHECK(hdfs_conf_load_default(c) == 0);
	CHECK(hdfs_conf_loaded_files(c) == 2);

	CHECK(get(c, "locked") && strcmp(get(c, "locked"), "one") == 0);  /* final wins */
	CHECK(hdfs_conf_set(c, "locked", "three") == HDFS_EINVAL);
	CHECK(get(c, "derived") && strcmp(get(c, "derived"), "/override/x and env! and ${nope}") == 0);
	char small[4];
	size_t need = 0;
	CHECK(hdfs_conf_get(c, "derived", small, sizeof(small), &need) == HDFS_ETOOBIG && need == 33);
	CHECK(hdfs_conf_get(c, "loop", small, sizeof(small), NULL) == HDFS_EINVAL);
	CHECK(hdfs_conf_get(c, "missing", small, sizeof(small), NULL) == HDFS_ENOTFOUND);

	int64_t v;
	CHECK(hdfs_conf_get_int64(c, "a.size", 0, &v) == 0 && v == 64 << 20);
	CHECK(hdfs_conf_get_int64(c, "missing", 42, &v) == 0 && v == 42);
	CHECK(hdfs_conf_get_int64(c, "bad.int", 0, &v) == HDFS_EINVAL);
	int b;
	CHECK(hdfs_conf_get_bool(c, "flag", 0, &b) == 0 && b == 1);
	CHECK(hdfs_conf_get_bool(c, "base", 0, &b) == HDFS_EINVAL);

	char hosts[4][64];
	int ports[4], n;
	CHECK(hdfs_conf_namenodes(c, NULL, hosts[0], 64, ports, 4, &n) == 0 && n == 2);
	CHECK(strcmp(hosts[0], "host1") == 0 && ports[0] == 8020);
	CHECK(strcmp(hosts[1], "host2") == 0 && ports[1] == 9000);
	CHECK(hdfs_conf_namenodes(c, "mycluster", hosts[0], 64, ports, 1, &n) == HDFS_ETOOBIG && n == 2);
	CHECK(hdfs_conf_namenodes(c, "other", hosts[0], 64, ports, 4, &n) == 0 && n == 1 &&
	    strcmp(hosts[0], "::1") == 0 && ports[0] == 7000);
	CHECK(hdfs_conf_namenodes(c, "nn.example:8021", hosts[0], 64, ports, 4, &n) == 0 &&
	    n == 1 && strcmp(hosts[0], "nn.example") == 0 && ports[0] == 8021);
	CHECK(hdfs_conf_namenodes(c, "plainhost", hosts[0], 64, ports, 4, &n) == 0 && ports[0] == 8020);
	CHECK(hdfs_conf_namenodes(c, "h:99999", hosts[0], 64, ports, 4, &n) == HDFS_EINVAL);
	CHECK(hdfs_conf_namenodes(c, "averyveryverylonghostname.example.com", hosts[0], 8, ports, 4, &n) == HDFS_ETOOBIG);

	char path[512];
	snprintf(path, sizeof(path), "%s/broken.xml", dir);
	CHECK(hdfs_conf_load_file(c, path) == HDFS_EINVAL);
	CHECK(strstr(hdfs_conf_error_message(c), "broken.xml:2:") != NULL);
	CHECK(hdfs_conf_load_file(c, "/nonexistent/x.xml") == HDFS_EIO);
	CHECK(strstr(hdfs_conf_error_message(c), "No such file") != NULL);
	hdfs_conf_free(c);

	/* No fs.defaultFS: not found, not a crash. */
	CHECK(hdfs_conf_new(&c) == 0);
	CHECK(hdfs_conf_namenodes(c, NULL, hosts[0], 64, ports, 4, &n) == HDFS_ENOTFOUND);
	CHECK(hdfs_conf_set(c, "fs.defaultFS", "file:///") == 0);
	CHECK(hdfs_conf_namenodes(c, NULL, hosts[0], 64, ports, 4, &n) == HDFS_ENOTFOUND);
	CHECK(hdfs_conf_set(c, "fs.defaultFS", "hdfs://10.1.2.3:9820/") == 0);
	CHECK(hdfs_conf_namenodes(c, NULL, hosts[0], 64, ports, 4, &n) == 0 && ports[0] == 9820 &&
	    strcmp(hosts[0], "10.1.2.3") == 0);
	hdfs_conf_free(c);

	/* Deprecated names stand for the current ones, set or read, in files
	 * too (Java's Configuration); the later setting of either wins. */
	CHECK(hdfs_conf_new(&c) == 0);
	CHECK(hdfs_conf_set(c, "dfs.block.size", "4096") == 0);
	CHECK(get(c, "dfs.blocksize") && strcmp(get(c, "dfs.blocksize"), "4096") == 0);
	CHECK(hdfs_conf_set(c, "dfs.blocksize", "8k") == 0);
	CHECK(hdfs_conf_get_int64(c, "dfs.block.size", 0, &v) == 0 && v == 8192);
	write_file("old-site.xml", "<configuration>\n"
	    PROP("fs.default.name", "hdfs://oldstyle:8020")
	    PROP("io.bytes.per.checksum", "1024")
	    "</configuration>\n");
	snprintf(path, sizeof(path), "%s/old-site.xml", dir);
	CHECK(hdfs_conf_load_file(c, path) == 0);
	CHECK(get(c, "fs.defaultFS") && strcmp(get(c, "fs.defaultFS"), "hdfs://oldstyle:8020") == 0);
	CHECK(hdfs_conf_get_int64(c, "dfs.bytes-per-checksum", 0, &v) == 0 && v == 1024);
	CHECK(hdfs_conf_namenodes(c, NULL, hosts[0], 64, ports, 4, &n) == 0 && n == 1 &&
	    strcmp(hosts[0], "oldstyle") == 0);
	hdfs_conf_free(c);

	/* Walking the names: each once, under its current name, then NULL. */
	CHECK(hdfs_conf_new(&c) == 0);
	CHECK(hdfs_conf_name_at(c, 0) == NULL && hdfs_conf_name_at(NULL, 0) == NULL);
	CHECK(hdfs_conf_set(c, "fs.viewfs.mounttable.t.link./a", "hdfs://nn/x") == 0);
	CHECK(hdfs_conf_set(c, "fs.default.name", "hdfs://nn") == 0);
	CHECK(hdfs_conf_set(c, "fs.viewfs.mounttable.t.link./a", "hdfs://nn/y") == 0);
	CHECK(strcmp(hdfs_conf_name_at(c, 0), "fs.viewfs.mounttable.t.link./a") == 0);
	CHECK(strcmp(hdfs_conf_name_at(c, 1), "fs.defaultFS") == 0);
	CHECK(hdfs_conf_name_at(c, 2) == NULL);
	hdfs_conf_free(c);

	/* libhdfs users point at their conf through CLASSPATH. */
	unsetenv("HADOOP_CONF_DIR");
	unsetenv("HADOOP_HOME");
	char cp[600];
	snprintf(cp, sizeof(cp), "/x/lib/*:/y/a.jar:%s", dir);
	setenv("CLASSPATH", cp, 1);
	CHECK(hdfs_conf_new(&c) == 0);
	CHECK(hdfs_conf_load_default(c) == 0 && hdfs_conf_loaded_files(c) == 2);
	hdfs_conf_free(c);

	for (const char *f = "core-site.xml"; f; f = strcmp(f, "core-site.xml") == 0 ? "hdfs-site.xml" :
	    strcmp(f, "hdfs-site.xml") == 0 ? "broken.xml" : NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/old-site.xml", dir);
	unlink(path);
	rmdir(dir);
	return check_done("test_conf");
}
