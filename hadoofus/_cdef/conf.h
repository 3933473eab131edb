/* cffi cdef for <hadoofus/conf.h>. Needs error.h first. */

struct hdfs_conf;

int hdfs_conf_new(struct hdfs_conf **out);
void hdfs_conf_free(struct hdfs_conf *conf);
int hdfs_conf_load_file(struct hdfs_conf *conf, const char *path);
int hdfs_conf_load_default(struct hdfs_conf *conf);
int hdfs_conf_loaded_files(const struct hdfs_conf *conf);
int hdfs_conf_set(struct hdfs_conf *conf, const char *name, const char *value);
int hdfs_conf_get(const struct hdfs_conf *conf, const char *name, char *buf,
    size_t buflen, size_t *needed);
int hdfs_conf_get_int64(const struct hdfs_conf *conf, const char *name,
    int64_t dflt, int64_t *out);
int hdfs_conf_get_bool(const struct hdfs_conf *conf, const char *name,
    int dflt, int *out);
const char *hdfs_conf_error_message(const struct hdfs_conf *conf);
int hdfs_conf_namenodes(const struct hdfs_conf *conf, const char *authority,
    char *hosts, size_t hostlen, int *ports, int max, int *count);
const char *hdfs_conf_name_at(const struct hdfs_conf *conf, size_t i);
