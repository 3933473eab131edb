/* cffi cdef for <hadoofus/credentials.h>. Needs error.h first. */

enum hdfs_credentials_format {
	HDFS_CREDENTIALS_WRITABLE = 0,
	HDFS_CREDENTIALS_PROTOBUF = 1,
};

struct hdfs_token {
	const char *alias;
	const uint8_t *identifier;
	size_t identifier_len;
	const uint8_t *password;
	size_t password_len;
	const char *kind;
	const char *service;
};

struct hdfs_credentials;

int hdfs_credentials_new(struct hdfs_credentials **out);
void hdfs_credentials_free(struct hdfs_credentials *c);
int hdfs_credentials_parse(struct hdfs_credentials *c, const uint8_t *buf, size_t len);
int hdfs_credentials_read_file(struct hdfs_credentials *c, const char *path);
int hdfs_credentials_serialize(const struct hdfs_credentials *c, int format,
    uint8_t *buf, size_t buflen, size_t *needed);
int hdfs_credentials_write_file(struct hdfs_credentials *c, const char *path, int format);
size_t hdfs_credentials_num_tokens(const struct hdfs_credentials *c);
size_t hdfs_credentials_num_secrets(const struct hdfs_credentials *c);
const struct hdfs_token *hdfs_credentials_token_at(const struct hdfs_credentials *c, size_t i);
const struct hdfs_token *hdfs_credentials_find_token(const struct hdfs_credentials *c,
    const char *kind, const char *service);
int hdfs_credentials_add_token(struct hdfs_credentials *c, const struct hdfs_token *t);
int hdfs_credentials_secret_at(const struct hdfs_credentials *c, size_t i,
    const char **alias, const uint8_t **data, size_t *len);
int hdfs_credentials_add_secret(struct hdfs_credentials *c, const char *alias,
    const uint8_t *data, size_t len);
const char *hdfs_credentials_error_message(const struct hdfs_credentials *c);
