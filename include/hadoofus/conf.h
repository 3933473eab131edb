/*
 * Hadoop configuration files (core-site.xml, hdfs-site.xml).
 *
 * A struct hdfs_conf is a key/value map filled from Hadoop's XML files, in
 * the order loaded: a later file overrides an earlier one unless the
 * earlier property was marked <final>true</final>. Values are expanded on
 * lookup as Hadoop does: ${name} is replaced by the property `name`, or the
 * environment variable `name` when there is no such property (${env.NAME}
 * names the environment explicitly), up to 20 levels deep.
 *
 * Not thread-safe while loading; lookups may run concurrently once loaded.
 */
#ifndef HADOOFUS_CONF_H
#define HADOOFUS_CONF_H

#include <stddef.h>
#include <stdint.h>

#include <hadoofus/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct hdfs_conf;

/* An empty configuration. Returns 0 or HDFS_ENOMEM. */
HDFS_API int hdfs_conf_new(struct hdfs_conf **out);
/* NULL is fine. */
HDFS_API void hdfs_conf_free(struct hdfs_conf *conf);

/*
 * Load one Hadoop XML configuration file. Returns 0, HDFS_EIO (cannot read:
 * errno in the message), HDFS_EINVAL (malformed XML: line and column in the
 * message), HDFS_ENOMEM. A failed load leaves what was loaded before.
 */
HDFS_API int hdfs_conf_load_file(struct hdfs_conf *conf, const char *path);

/*
 * Load core-site.xml then hdfs-site.xml from the directories Hadoop would
 * use: $HADOOP_CONF_DIR, else $HADOOP_HOME/etc/hadoop, else each directory
 * on $CLASSPATH (the way libhdfs users point the JVM at their conf). Files
 * that don't exist are skipped. Returns 0 (even when nothing was found:
 * hdfs_conf_loaded_files() says), or an error of hdfs_conf_load_file().
 */
HDFS_API int hdfs_conf_load_default(struct hdfs_conf *conf);

/* How many files were loaded so far. */
HDFS_API int hdfs_conf_loaded_files(const struct hdfs_conf *conf);

/* Set a property (both strings are copied). Returns 0, HDFS_EINVAL (NULL
 * name or value), HDFS_ENOMEM. A final property is not changed: HDFS_EINVAL.
 * Deprecated names Hadoop still honours (dfs.block.size, fs.default.name,
 * io.bytes.per.checksum, dfs.umaskmode, ...) stand for their current names
 * here, in hdfs_conf_get* and in loaded files, as in Java's Configuration. */
HDFS_API int hdfs_conf_set(struct hdfs_conf *conf, const char *name,
    const char *value);

/*
 * Look up `name`, expanded, into buf. Returns 0, HDFS_ENOTFOUND (unset),
 * HDFS_ETOOBIG (buf too small: *needed, if not NULL, says how big, NUL
 * included), HDFS_EINVAL (expansion loops deeper than 20).
 */
HDFS_API int hdfs_conf_get(const struct hdfs_conf *conf, const char *name,
    char *buf, size_t buflen, size_t *needed);

/* Typed lookups; `dflt` when unset. Numbers accept Hadoop's size suffixes
 * (k, m, g, t, p, case-insensitive) as Configuration.getLongBytes does;
 * booleans are true/false. HDFS_EINVAL when the value doesn't parse. */
HDFS_API int hdfs_conf_get_int64(const struct hdfs_conf *conf,
    const char *name, int64_t dflt, int64_t *out);
HDFS_API int hdfs_conf_get_bool(const struct hdfs_conf *conf,
    const char *name, int dflt, int *out);

/* Why the last load failed (valid until the next call on conf). */
HDFS_API const char *hdfs_conf_error_message(const struct hdfs_conf *conf);

/*
 * The NameNode RPC addresses for an HDFS URI authority (or, when
 * `authority` is NULL or empty, for fs.defaultFS). "host" or "host:port"
 * is itself (port 8020 when absent); a nameservice id listed in
 * dfs.nameservices resolves through dfs.ha.namenodes.<ns> and
 * dfs.namenode.rpc-address.<ns>.<nn>, or dfs.namenode.rpc-address.<ns>
 * when not HA. Fills up to `max` entries of hosts (each hostlen bytes) and
 * ports and sets *count to how many there are. Returns 0, HDFS_ENOTFOUND
 * (no fs.defaultFS, or it isn't hdfs://), HDFS_EINVAL (unparsable address),
 * HDFS_ETOOBIG (a host longer than hostlen).
 */
HDFS_API int hdfs_conf_namenodes(const struct hdfs_conf *conf,
    const char *authority, char *hosts, size_t hostlen, int *ports,
    int max, int *count);

/*
 * The name of the i-th property (0-based, in the order first set), or NULL
 * when i >= the number of properties: callers walk names that share a
 * prefix (viewfs mount tables: fs.viewfs.mounttable.<table>.link.<path>)
 * and read each value with hdfs_conf_get. The string belongs to conf and
 * stays valid until the conf is changed (set, load) or freed.
 */
HDFS_API const char *hdfs_conf_name_at(const struct hdfs_conf *conf, size_t i);

#ifdef __cplusplus
}
#endif
#endif
