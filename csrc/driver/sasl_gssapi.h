/*
 * Kerberos for the RPC: the SASL GSSAPI mechanism (RFC 4752) on the
 * system's MIT GSS-API, and the factory that offers it to the RPC engine.
 *
 * Not I/O-free in the strict sense: libgssapi_krb5 may ask the KDC for a
 * service ticket (or, with a keytab, a TGT) during the first step. That is
 * why it lives with the drivers; the engine only sees the sasl.h vtable.
 */
#ifndef HADOOFUS_DRIVER_SASL_GSSAPI_H
#define HADOOFUS_DRIVER_SASL_GSSAPI_H

#include "engine/sasl.h"

/* How a client authenticates with Kerberos; strings are the owner's. */
struct hdfs_krb_opts {
	/* dfs.namenode.kerberos.principal ("nn/_HOST@REALM"): the server
	 * principal to expect, _HOST standing for the server's canonical host
	 * name. NULL: trust the principal the server names. */
	const char *server_principal;
	/* hadoop.rpc.protection: comma list of authentication, integrity,
	 * privacy in the order of preference (as Java picks). NULL:
	 * "authentication". */
	const char *protection;
	/* Ticket cache ("FILE:/tmp/krb5cc_1000" or a path). NULL: KRB5CCNAME
	 * or the default. */
	const char *ccache;
	/* Keytab login: the client principal and its keytab. Tickets go to a
	 * private in-memory cache that GSS-API refills from the keytab before
	 * they expire. */
	const char *principal;
	const char *keytab;
};

/*
 * The parsed form of hdfs_krb_opts.protection: up to three
 * HDFS_SASL_QOP_* in preference order. Returns 0 or HDFS_EINVAL (with a
 * message in err).
 */
int hdfs_krb_parse_protection(const char *s, int prefs[3], int *n,
    char *err, size_t errlen);

/*
 * A Kerberos context: the options (copied) and the credential, shared by
 * the connections of one NameNode handle. Returns 0, HDFS_EINVAL,
 * HDFS_ENOMEM.
 */
struct hdfs_krb;
int hdfs_krb_new(struct hdfs_krb **out, const struct hdfs_krb_opts *o,
    char *err, size_t errlen);
void hdfs_krb_free(struct hdfs_krb *k);

/* The client principal's name: the keytab login's, else the one of the
 * last handshake, else the ticket cache's owner; NULL when there is no
 * ticket. Owned by k. */
const char *hdfs_krb_client_name(struct hdfs_krb *k);

/*
 * The hdfs_sasl_factory_fn for an hdfs_krb (ctx): takes KERBEROS offers
 * (GSSAPI toward `host`, the address connected to), declines TOKEN and
 * refuses SIMPLE (a client configured for Kerberos does not fall back).
 * Set k's host first with hdfs_krb_set_host.
 */
int hdfs_krb_sasl_factory(void *ctx, const struct hdfs_sasl_offer *offer,
    struct hdfs_sasl **out, char *err, size_t errlen);
int hdfs_krb_set_host(struct hdfs_krb *k, const char *host);

#endif
