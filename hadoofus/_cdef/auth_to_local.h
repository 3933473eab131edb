/* cffi cdef for <hadoofus/auth_to_local.h>. Needs conf.h first. */

struct hdfs_auth_to_local;

int hdfs_auth_to_local_new(struct hdfs_auth_to_local **out);
void hdfs_auth_to_local_free(struct hdfs_auth_to_local *a);
int hdfs_auth_to_local_set_rules(struct hdfs_auth_to_local *a, const char *rules);
int hdfs_auth_to_local_set_mechanism(struct hdfs_auth_to_local *a, const char *mechanism);
int hdfs_auth_to_local_set_default_realm(struct hdfs_auth_to_local *a, const char *realm);
int hdfs_auth_to_local_load_conf(struct hdfs_auth_to_local *a, const struct hdfs_conf *conf);
int hdfs_auth_to_local_map(struct hdfs_auth_to_local *a, const char *principal, char *buf,
    size_t buflen, size_t *needed);
const char *hdfs_auth_to_local_error_message(struct hdfs_auth_to_local *a, char *buf,
    size_t buflen);
