/* SASL TOKEN auth of the NameNode driver (internal): the delegation token a
 * handle authenticates with, and Java's choice of it among credentials. */
#ifndef HADOOFUS_DRIVER_NN_TOKEN_H
#define HADOOFUS_DRIVER_NN_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/sasl.h"
#include "hadoofus/credentials.h"

/* The SASL user and password DIGEST-MD5 is keyed by: the identifier and
 * password, base64 (Java's SaslRpcClient.SaslClientCallbackHandler). */
struct nn_token {
	char *user;
	char *password;
};

/* A new nn_token of t: 0, HDFS_ENOMEM. */
int nn_token_new(const struct hdfs_token *t, struct nn_token **out);
void nn_token_free(struct nn_token *tok);

/*
 * For a TOKEN offer with mechanism DIGEST-MD5: *out a DIGEST-MD5 client for
 * the offer's protocol and server id, accepting any QOP the server picks
 * (it answers with its hadoop.rpc.protection). Returns 0, 1 (another
 * mechanism: declined), HDFS_ENOMEM (err says so).
 */
int nn_token_sasl(const struct nn_token *tok, const struct hdfs_sasl_offer *o,
    struct hdfs_sasl **out, char *err, size_t errlen);

/*
 * The delegation token of c for the NameNodes hosts[i]:ports[i] (n of
 * them) as Java's DelegationTokenSelector finds it: kind
 * HDFS_DELEGATION_TOKEN and service "ha-hdfs:<nameservice>" (nameservice
 * not NULL), "<ip>:<port>" (hadoop.security.token.service.use_ip, the
 * default) or "<host>:<port>". NULL when there is none.
 */
const struct hdfs_token *nn_token_select(const struct hdfs_credentials *c,
    char *const *hosts, const int *ports, int n, const char *nameservice);

#endif
