/* SASL TOKEN auth on the NameNode RPC: DIGEST-MD5 keyed by a delegation
 * token, as Java's SaslRpcClient does it. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/crypto.h>

#include "driver/nn_token.h"
#include "engine/sasl_digest.h"
#include "util/buf.h"

#define DELEGATION_KIND "HDFS_DELEGATION_TOKEN"

int
nn_token_new(const struct hdfs_token *t, struct nn_token **out)
{
	struct nn_token *tok = calloc(1, sizeof(*tok));
	if (tok == NULL)
		return HDFS_ENOMEM;
	tok->user = hbase64(t->identifier, t->identifier_len);
	tok->password = hbase64(t->password, t->password_len);
	if (tok->user == NULL || tok->password == NULL) {
		nn_token_free(tok);
		return HDFS_ENOMEM;
	}
	*out = tok;
	return 0;
}

void
nn_token_free(struct nn_token *tok)
{
	if (tok == NULL)
		return;
	/* A password: don't leave it in freed memory. */
	if (tok->password)
		OPENSSL_cleanse(tok->password, strlen(tok->password));
	free(tok->user);
	free(tok->password);
	free(tok);
}

int
nn_token_sasl(const struct nn_token *tok, const struct hdfs_sasl_offer *o,
    struct hdfs_sasl **out, char *err, size_t errlen)
{
	if (strcmp(o->mechanism, "DIGEST-MD5") != 0)
		return 1;
	/* The NameNode says protocol "" and server id "default": the
	 * digest-uri is "/default", as Java's client makes it. */
	int rc = hdfs_sasl_digest_new(tok->user, tok->password, o->protocol,
	    o->server_id, HDFS_SASL_QOP_AUTH | HDFS_SASL_QOP_INT | HDFS_SASL_QOP_CONF,
	    out);
	if (rc)
		snprintf(err, errlen, "DIGEST-MD5 client: %s", hdfs_strerror(rc));
	return rc;
}

static int
service_is(const char *service, const char *host, int port)
{
	size_t hl = strlen(host);
	char *end;
	return strncmp(service, host, hl) == 0 && service[hl] == ':' &&
	    strtol(service + hl + 1, &end, 10) == port && *end == '\0';
}

/* Java's NetUtils.createSocketAddr + getHostAddress: the IPv4 address. */
static void
host_ip(const char *host, char *ip, size_t iplen)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;
	ip[0] = '\0';
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)res->ai_addr;
	inet_ntop(AF_INET, &sin->sin_addr, ip, (socklen_t)iplen);
	freeaddrinfo(res);
}

const struct hdfs_token *
nn_token_select(const struct hdfs_credentials *c, char *const *hosts,
    const int *ports, int n, const char *nameservice)
{
	if (nameservice) {
		char ha[300];
		snprintf(ha, sizeof(ha), "ha-hdfs:%s", nameservice);
		const struct hdfs_token *t = hdfs_credentials_find_token(c, DELEGATION_KIND, ha);
		if (t)
			return t;
	}
	for (int i = 0; i < n; i++) {
		char ip[INET_ADDRSTRLEN];
		host_ip(hosts[i], ip, sizeof(ip));
		for (size_t k = 0; k < hdfs_credentials_num_tokens(c); k++) {
			const struct hdfs_token *t = hdfs_credentials_token_at(c, k);
			if (strcmp(t->kind, DELEGATION_KIND) == 0 &&
			    ((ip[0] && service_is(t->service, ip, ports[i])) ||
			    service_is(t->service, hosts[i], ports[i])))
				return t;
		}
	}
	return NULL;
}
