/*
 * SASL GSSAPI (RFC 4752) over MIT libgssapi_krb5, as Hadoop's RPC uses it:
 * the Kerberos AP exchange through gss_init_sec_context, then one wrapped
 * round choosing the security layer (authentication, integrity, privacy).
 */
#include <ctype.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "driver/sasl_gssapi.h"
#include "util/buf.h"

/* What we announce we can receive in one wrapped message (as Java's). */
#define OUR_MAX_BUFFER 65536

struct hdfs_krb {
	char *server_principal;
	char *protection;
	char *ccache;
	char *principal;
	char *keytab;
	char *mem_ccache;     /* keytab login: where its tickets live */
	char *host;           /* the address connected to, for _HOST */
	char *client_name;    /* learnt from the first handshake */
	int prefs[3];
	int nprefs;
};

struct gss_mech {
	struct hdfs_sasl base;
	gss_cred_id_t cred;
	gss_name_t target;
	gss_ctx_id_t ctx;
	bool established;
	int qop;
	int prefs[3];
	int nprefs;
	char *user;
	struct hdfs_krb *krb;  /* told the client name; outlives the mechanism */
};

static void
gss_message(char *err, size_t errlen, const char *what, OM_uint32 major,
    OM_uint32 minor)
{
	size_t off = 0;
	int w = snprintf(err, errlen, "Kerberos: %s", what);
	off = w > 0 && (size_t)w < errlen ? (size_t)w : errlen - 1;
	/* "Unspecified GSS failure" says nothing: the minor code does. */
	if (GSS_ROUTINE_ERROR(major) == GSS_S_FAILURE && minor != 0)
		major = 0;
	/* The mechanism's (minor) text names the cause: "Clock skew too
	 * great", "Ticket expired", "Server not found in Kerberos database". */
	for (int pass = 0; pass < 2; pass++) {
		OM_uint32 code = pass ? minor : major;
		int type = pass ? GSS_C_MECH_CODE : GSS_C_GSS_CODE;
		if (code == 0)
			continue;
		OM_uint32 ctx = 0, min2;
		do {
			gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
			if (GSS_ERROR(gss_display_status(&min2, code, type,
			    pass ? (gss_OID)gss_mech_krb5 : GSS_C_NO_OID, &ctx, &msg)))
				break;
			w = snprintf(err + off, errlen - off, ": %.*s",
			    (int)msg.length, (const char *)msg.value);
			gss_release_buffer(&min2, &msg);
			if (w > 0 && (size_t)w < errlen - off)
				off += (size_t)w;
		} while (ctx != 0);
	}
	if (GSS_ROUTINE_ERROR(major) == GSS_S_NO_CRED && strncmp(what, "keytab", 6) != 0)
		snprintf(err + off, errlen - off, " (no Kerberos ticket: run kinit, "
		    "set KRB5CCNAME, or give a principal and keytab)");
	else if (GSS_ROUTINE_ERROR(major) == GSS_S_CREDENTIALS_EXPIRED)
		snprintf(err + off, errlen - off, " (the ticket has expired: kinit again)");
}

static int
copy_out(gss_buffer_desc *b, uint8_t **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (b->length == 0)
		return 0;
	*out = malloc(b->length);
	if (*out == NULL)
		return HDFS_ENOMEM;
	memcpy(*out, b->value, b->length);
	*outlen = b->length;
	return 0;
}

static void
learn_user(struct gss_mech *m)
{
	OM_uint32 minor;
	gss_name_t src = GSS_C_NO_NAME;
	if (GSS_ERROR(gss_inquire_context(&minor, m->ctx, &src, NULL, NULL, NULL,
	    NULL, NULL, NULL)))
		return;
	gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
	if (!GSS_ERROR(gss_display_name(&minor, src, &name, NULL))) {
		m->user = hstrndup(name.value, name.length);
		if (m->user && m->krb && m->krb->client_name == NULL)
			m->krb->client_name = hstrdup(m->user);
		gss_release_buffer(&minor, &name);
	}
	gss_release_name(&minor, &src);
}

static const char *
qop_name(int q)
{
	return q == HDFS_SASL_QOP_CONF ? "privacy" : q == HDFS_SASL_QOP_INT ?
	    "integrity" : "authentication";
}

/* The server's security layer offer: [mask][max buffer, 3 bytes BE]. */
static int
choose_layer(struct gss_mech *m, const uint8_t *in, size_t inlen,
    uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	OM_uint32 major, minor;
	gss_buffer_desc wrapped = { inlen, (void *)in }, plain = GSS_C_EMPTY_BUFFER;
	major = gss_unwrap(&minor, m->ctx, &wrapped, &plain, NULL, NULL);
	if (GSS_ERROR(major)) {
		gss_message(err, errlen, "unwrapping the server's security layer offer",
		    major, minor);
		return HDFS_EAUTH;
	}
	if (plain.length != 4) {
		gss_release_buffer(&minor, &plain);
		snprintf(err, errlen, "Kerberos: a security layer offer of %zu bytes "
		    "(want 4)", plain.length);
		return HDFS_EPROTO;
	}
	unsigned mask = ((const uint8_t *)plain.value)[0];
	gss_release_buffer(&minor, &plain);
	for (int i = 0; i < m->nprefs && m->qop == 0; i++)
		if (mask & (unsigned)m->prefs[i])
			m->qop = m->prefs[i];
	if (m->qop == 0) {
		char offered[64] = "", allowed[64] = "";
		size_t o = 0, a = 0;
		for (int q = 1; q <= 4; q <<= 1)
			if (mask & (unsigned)q)
				o += (size_t)snprintf(offered + o, sizeof(offered) - o, "%s%s",
				    o ? "," : "", qop_name(q));
		for (int i = 0; i < m->nprefs; i++)
			a += (size_t)snprintf(allowed + a, sizeof(allowed) - a, "%s%s",
			    a ? "," : "", qop_name(m->prefs[i]));
		snprintf(err, errlen, "Kerberos: no common protection with the server: "
		    "it requires %s, this client allows %s (hadoop.rpc.protection)",
		    offered[0] ? offered : "(nothing)", allowed);
		return HDFS_EAUTH;
	}
	uint8_t reply[4] = { (uint8_t)m->qop, 0, 0, 0 };
	if (m->qop != HDFS_SASL_QOP_AUTH) {
		reply[1] = (uint8_t)(OUR_MAX_BUFFER >> 16);
		reply[2] = (uint8_t)(OUR_MAX_BUFFER >> 8);
		reply[3] = (uint8_t)OUR_MAX_BUFFER;
	}
	gss_buffer_desc rin = { sizeof(reply), reply }, rout = GSS_C_EMPTY_BUFFER;
	major = gss_wrap(&minor, m->ctx, 0, GSS_C_QOP_DEFAULT, &rin, NULL, &rout);
	if (GSS_ERROR(major)) {
		gss_message(err, errlen, "wrapping the security layer choice", major, minor);
		return HDFS_EAUTH;
	}
	int rc = copy_out(&rout, out, outlen);
	gss_release_buffer(&minor, &rout);
	if (rc)
		return rc;
	learn_user(m);
	return 1;
}

static int
mech_step(struct hdfs_sasl *s, const uint8_t *in, size_t inlen, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	struct gss_mech *m = (struct gss_mech *)s;
	*out = NULL;
	*outlen = 0;
	if (m->established)
		return choose_layer(m, in, inlen, out, outlen, err, errlen);
	OM_uint32 major, minor;
	gss_buffer_desc input = { inlen, (void *)in }, output = GSS_C_EMPTY_BUFFER;
	major = gss_init_sec_context(&minor, m->cred, &m->ctx, m->target,
	    (gss_OID)gss_mech_krb5,
	    GSS_C_MUTUAL_FLAG | GSS_C_SEQUENCE_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG,
	    0, GSS_C_NO_CHANNEL_BINDINGS, in ? &input : GSS_C_NO_BUFFER, NULL,
	    &output, NULL, NULL);
	if (GSS_ERROR(major)) {
		OM_uint32 min2;
		gss_message(err, errlen, "cannot authenticate to the server", major, minor);
		gss_release_buffer(&min2, &output);
		return HDFS_EAUTH;
	}
	if (major == GSS_S_COMPLETE)
		m->established = true;
	int rc = copy_out(&output, out, outlen);
	gss_release_buffer(&minor, &output);
	return rc;
}

static int
mech_qop(struct hdfs_sasl *s)
{
	return ((struct gss_mech *)s)->qop;
}

/* One SASL buffer through gss_wrap (seal) or gss_unwrap. */
static int
protect(struct gss_mech *m, bool seal, const uint8_t *in, size_t len,
    uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	OM_uint32 major, minor;
	int conf = 0;
	gss_buffer_desc bin = { len, (void *)in }, bout = GSS_C_EMPTY_BUFFER;
	major = seal ? gss_wrap(&minor, m->ctx, m->qop == HDFS_SASL_QOP_CONF,
	    GSS_C_QOP_DEFAULT, &bin, &conf, &bout)
	    : gss_unwrap(&minor, m->ctx, &bin, &bout, &conf, NULL);
	if (GSS_ERROR(major)) {
		gss_message(err, errlen, seal ? "wrap" : "unwrap", major, minor);
		return HDFS_EAUTH;
	}
	int rc = 0;
	if (!seal && m->qop == HDFS_SASL_QOP_CONF && !conf) {
		snprintf(err, errlen, "Kerberos: the server sent a message in the "
		    "clear on a privacy connection");
		rc = HDFS_EAUTH;
	}
	if (rc == 0)
		rc = copy_out(&bout, out, outlen);
	gss_release_buffer(&minor, &bout);
	return rc;
}

static int
mech_wrap(struct hdfs_sasl *s, const uint8_t *in, size_t len, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	return protect((struct gss_mech *)s, true, in, len, out, outlen, err, errlen);
}

static int
mech_unwrap(struct hdfs_sasl *s, const uint8_t *in, size_t len, uint8_t **out,
    size_t *outlen, char *err, size_t errlen)
{
	return protect((struct gss_mech *)s, false, in, len, out, outlen, err, errlen);
}

/* gss_unwrap_iov on the token where it lies (STREAM in, DATA pointing
 * into it): no allocation and no copy of the plaintext. */
static int
mech_unwrap_in_place(struct hdfs_sasl *s, uint8_t *p, size_t len, size_t *off,
    size_t *plen, char *err, size_t errlen)
{
	struct gss_mech *m = (struct gss_mech *)s;
	OM_uint32 major, minor;
	int conf = 0;
	gss_iov_buffer_desc iov[2];
	iov[0].type = GSS_IOV_BUFFER_TYPE_STREAM;
	iov[0].buffer.value = p;
	iov[0].buffer.length = len;
	iov[1].type = GSS_IOV_BUFFER_TYPE_DATA;
	iov[1].buffer.value = NULL;
	iov[1].buffer.length = 0;
	major = gss_unwrap_iov(&minor, m->ctx, &conf, NULL, iov, 2);
	if (GSS_ERROR(major)) {
		gss_message(err, errlen, "unwrap", major, minor);
		return HDFS_EAUTH;
	}
	if (m->qop == HDFS_SASL_QOP_CONF && !conf) {
		snprintf(err, errlen, "Kerberos: the server sent a message in the "
		    "clear on a privacy connection");
		return HDFS_EAUTH;
	}
	*off = iov[1].buffer.length ? (size_t)((uint8_t *)iov[1].buffer.value - p) : 0;
	*plen = iov[1].buffer.length;
	return 0;
}

static const char *
mech_user(struct hdfs_sasl *s)
{
	return ((struct gss_mech *)s)->user;
}

static void
mech_free(struct hdfs_sasl *s)
{
	struct gss_mech *m = (struct gss_mech *)s;
	OM_uint32 minor;
	if (m->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &m->ctx, GSS_C_NO_BUFFER);
	if (m->target != GSS_C_NO_NAME)
		gss_release_name(&minor, &m->target);
	if (m->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &m->cred);
	free(m->user);
	free(m);
}

static const struct hdfs_sasl_ops gssapi_ops = {
	.mechanism = "GSSAPI",
	.step = mech_step,
	.qop = mech_qop,
	.wrap = mech_wrap,
	.unwrap = mech_unwrap,
	.free = mech_free,
	.user = mech_user,
	.unwrap_in_place = mech_unwrap_in_place,
};

/* ---- options, credentials, the factory ---- */

int
hdfs_krb_parse_protection(const char *s, int prefs[3], int *n, char *err,
    size_t errlen)
{
	*n = 0;
	if (s == NULL || !*s)
		s = "authentication";
	const char *p = s;
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		size_t len = strcspn(p, ", \t\n");
		if (len == 0)
			break;
		int q = 0;
		if ((len == 14 && strncmp(p, "authentication", len) == 0) ||
		    (len == 4 && strncmp(p, "auth", len) == 0))
			q = HDFS_SASL_QOP_AUTH;
		else if ((len == 9 && strncmp(p, "integrity", len) == 0) ||
		    (len == 8 && strncmp(p, "auth-int", len) == 0))
			q = HDFS_SASL_QOP_INT;
		else if ((len == 7 && strncmp(p, "privacy", len) == 0) ||
		    (len == 9 && strncmp(p, "auth-conf", len) == 0))
			q = HDFS_SASL_QOP_CONF;
		if (q == 0) {
			snprintf(err, errlen, "unknown protection \"%.*s\" (want "
			    "authentication, integrity or privacy)", (int)len, p);
			return HDFS_EINVAL;
		}
		bool dup = false;
		for (int i = 0; i < *n; i++)
			dup |= prefs[i] == q;
		if (!dup && *n < 3)
			prefs[(*n)++] = q;
		p += len;
	}
	if (*n == 0) {
		snprintf(err, errlen, "empty protection list");
		return HDFS_EINVAL;
	}
	return 0;
}

void
hdfs_krb_free(struct hdfs_krb *k)
{
	if (k == NULL)
		return;
	free(k->server_principal);
	free(k->protection);
	free(k->ccache);
	free(k->principal);
	free(k->keytab);
	if (k->mem_ccache) {
		/* A MEMORY cache lives as long as the process unless destroyed. */
		krb5_context ctx;
		krb5_ccache cc;
		if (krb5_init_context(&ctx) == 0) {
			if (krb5_cc_resolve(ctx, k->mem_ccache, &cc) == 0)
				krb5_cc_destroy(ctx, cc);
			krb5_free_context(ctx);
		}
		free(k->mem_ccache);
	}
	free(k->host);
	free(k->client_name);
	free(k);
}

static int
dup_opt(char **dst, const char *src)
{
	if (src == NULL || !*src)
		return 0;
	return (*dst = hstrdup(src)) ? 0 : HDFS_ENOMEM;
}

int
hdfs_krb_new(struct hdfs_krb **out, const struct hdfs_krb_opts *o, char *err,
    size_t errlen)
{
	*out = NULL;
	if ((o->principal && *o->principal) != (o->keytab && *o->keytab)) {
		snprintf(err, errlen, "a keytab login needs both a principal and a keytab");
		return HDFS_EINVAL;
	}
	struct hdfs_krb *k = calloc(1, sizeof(*k));
	if (k == NULL)
		return HDFS_ENOMEM;
	int rc = hdfs_krb_parse_protection(o->protection, k->prefs, &k->nprefs, err, errlen);
	if (rc == 0)
		rc = dup_opt(&k->server_principal, o->server_principal);
	if (rc == 0)
		rc = dup_opt(&k->protection, o->protection);
	if (rc == 0)
		rc = dup_opt(&k->ccache, o->ccache);
	if (rc == 0)
		rc = dup_opt(&k->principal, o->principal);
	if (rc == 0)
		rc = dup_opt(&k->keytab, o->keytab);
	if (rc == 0 && k->keytab) {
		char name[64];
		/* One cache per handle: reconnects reuse its tickets. Named by a
		 * counter, not the handle's address: a freed handle's address comes
		 * back, and a cache of that name holding another principal's
		 * tickets made the keytab login fail ("Principal in credential
		 * cache does not match desired name"). */
		static unsigned long next_cache;
		unsigned long n = __atomic_add_fetch(&next_cache, 1, __ATOMIC_RELAXED);
		snprintf(name, sizeof(name), "MEMORY:hadoofus-%ld-%lu", (long)getpid(), n);
		rc = dup_opt(&k->mem_ccache, name);
	}
	if (rc) {
		if (rc == HDFS_ENOMEM)
			snprintf(err, errlen, "out of memory");
		hdfs_krb_free(k);
		return rc;
	}
	*out = k;
	return 0;
}


void
hdfs_krb_opts_of(const struct hdfs_krb *k, struct hdfs_krb_opts *o)
{
	o->server_principal = k->server_principal;
	o->protection = k->protection;
	o->ccache = k->ccache;
	o->principal = k->principal;
	o->keytab = k->keytab;
}

int
hdfs_krb_set_host(struct hdfs_krb *k, const char *host)
{
	if (k->host && strcmp(k->host, host) == 0)
		return 0;
	char *h = hstrdup(host);
	if (h == NULL)
		return HDFS_ENOMEM;
	free(k->host);
	k->host = h;
	return 0;
}

/* As Java's InetAddress.getCanonicalHostName(), lower-cased: the name the
 * address resolves back to, else the address itself. */
static void
canonical_host(const char *host, char *out, size_t outlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	snprintf(out, outlen, "%s", host);
	if (getaddrinfo(host, NULL, &hints, &ai) == 0 && ai != NULL) {
		char name[NI_MAXHOST];
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, name, sizeof(name), NULL,
		    0, NI_NAMEREQD) == 0) {
			size_t l = strnlen(name, outlen - 1);
			memcpy(out, name, l);
			out[l] = '\0';
		}
		freeaddrinfo(ai);
	}
	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* The principal to ask a ticket for: the server's own (service/host), once
 * it matches the configured one; realm from the configuration if any. */
static int
target_principal(struct hdfs_krb *k, const struct hdfs_sasl_offer *o,
    char *out, size_t outlen, char *err, size_t errlen)
{
	if (!*o->protocol || !*o->server_id) {
		snprintf(err, errlen, "Kerberos: the server names no principal "
		    "(protocol \"%s\", server id \"%s\")", o->protocol, o->server_id);
		return HDFS_EPROTO;
	}
	const char *realm = NULL;
	if (k->server_principal) {
		char want[512], host[256];
		const char *p = k->server_principal;
		const char *at = strchr(p, '@');
		const char *slash = strchr(p, '/');
		size_t svc_len = slash && (!at || slash < at) ? (size_t)(slash - p)
		    : at ? (size_t)(at - p) : strlen(p);
		const char *hp = slash && (!at || slash < at) ? slash + 1 : NULL;
		size_t host_len = hp ? (at ? (size_t)(at - hp) : strlen(hp)) : 0;
		if (hp && host_len == 5 && strncmp(hp, "_HOST", 5) == 0) {
			canonical_host(k->host ? k->host : o->server_id, host, sizeof(host));
		} else if (hp) {
			snprintf(host, sizeof(host), "%.*s", (int)host_len, hp);
		} else {
			host[0] = '\0';
		}
		realm = at ? at + 1 : NULL;
		bool svc_ok = svc_len == strlen(o->protocol) &&
		    strncmp(p, o->protocol, svc_len) == 0;
		bool host_ok = !hp || strcasecmp(host, o->server_id) == 0;
		if (!svc_ok || !host_ok) {
			snprintf(want, sizeof(want), "%.*s%s%s%s%s", (int)svc_len, p,
			    hp ? "/" : "", host, realm ? "@" : "", realm ? realm : "");
			snprintf(err, errlen, "Kerberos: the server's principal %s/%s is "
			    "not the expected %s (dfs.namenode.kerberos.principal %s)",
			    o->protocol, o->server_id, want, k->server_principal);
			return HDFS_EAUTH;
		}
	}
	int w = snprintf(out, outlen, "%s/%s%s%s", o->protocol, o->server_id,
	    realm ? "@" : "", realm ? realm : "");
	if (w < 0 || (size_t)w >= outlen) {
		snprintf(err, errlen, "Kerberos: server principal too long");
		return HDFS_EINVAL;
	}
	return 0;
}

static int
acquire_cred(struct hdfs_krb *k, gss_cred_id_t *cred, char *err, size_t errlen)
{
	OM_uint32 major, minor;
	gss_key_value_element_desc el[2];
	gss_key_value_set_desc store = { 0, el };
	gss_name_t me = GSS_C_NO_NAME;
	*cred = GSS_C_NO_CREDENTIAL;
	if (k->keytab) {
		el[store.count++] = (gss_key_value_element_desc){ "client_keytab", k->keytab };
		el[store.count++] = (gss_key_value_element_desc){ "ccache",
		    k->ccache ? k->ccache : k->mem_ccache };
		gss_buffer_desc n = { strlen(k->principal), k->principal };
		major = gss_import_name(&minor, &n, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &me);
		if (GSS_ERROR(major)) {
			gss_message(err, errlen, "bad principal name", major, minor);
			return HDFS_EINVAL;
		}
	} else if (k->ccache) {
		el[store.count++] = (gss_key_value_element_desc){ "ccache", k->ccache };
	}
	major = gss_acquire_cred_from(&minor, me, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
	    GSS_C_INITIATE, store.count ? &store : GSS_C_NO_CRED_STORE, cred, NULL, NULL);
	if (GSS_ERROR(major))
		gss_message(err, errlen, k->keytab ? "keytab login failed (is the "
		    "principal's key in the keytab?)" : "no usable credentials",
		    major, minor);
	if (me != GSS_C_NO_NAME)
		gss_release_name(&minor, &me);
	if (GSS_ERROR(major))
		return HDFS_EAUTH;
	/* A ticket cache whose TGT has run out is acquired fine; say so now
	 * rather than as an obscure failure later. */
	OM_uint32 life = 0;
	if (!k->keytab && !GSS_ERROR(gss_inquire_cred(&minor, *cred, NULL, &life, NULL,
	    NULL)) && life == 0) {
		gss_release_cred(&minor, cred);
		gss_message(err, errlen, "the ticket in the cache has expired",
		    GSS_S_CREDENTIALS_EXPIRED, 0);
		return HDFS_EAUTH;
	}
	return 0;
}

const char *
hdfs_krb_client_name(struct hdfs_krb *k)
{
	if (k->client_name == NULL && k->principal)
		k->client_name = hstrdup(k->principal);
	if (k->client_name == NULL) {
		/* Before any handshake: the ticket cache's owner. */
		char err[256];
		gss_cred_id_t cred;
		if (acquire_cred(k, &cred, err, sizeof(err)) == 0) {
			OM_uint32 minor;
			gss_name_t me = GSS_C_NO_NAME;
			gss_buffer_desc name = GSS_C_EMPTY_BUFFER;
			if (!GSS_ERROR(gss_inquire_cred(&minor, cred, &me, NULL, NULL, NULL)) &&
			    !GSS_ERROR(gss_display_name(&minor, me, &name, NULL))) {
				k->client_name = hstrndup(name.value, name.length);
				gss_release_buffer(&minor, &name);
			}
			if (me != GSS_C_NO_NAME)
				gss_release_name(&minor, &me);
			gss_release_cred(&minor, &cred);
		}
	}
	return k->client_name;
}

int
hdfs_krb_sasl_factory(void *ctx, const struct hdfs_sasl_offer *o,
    struct hdfs_sasl **out, char *err, size_t errlen)
{
	struct hdfs_krb *k = ctx;
	*out = NULL;
	if (strcmp(o->method, "SIMPLE") == 0) {
		snprintf(err, errlen, "the server does not authenticate (SIMPLE) but "
		    "this client is configured for Kerberos "
		    "(hadoop.security.authentication): refusing to fall back");
		return HDFS_EAUTH;
	}
	if (strcmp(o->method, "KERBEROS") != 0 || strcmp(o->mechanism, "GSSAPI") != 0)
		return 1;
	char target[600];
	int rc = target_principal(k, o, target, sizeof(target), err, errlen);
	if (rc)
		return rc;
	struct gss_mech *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return HDFS_ENOMEM;
	m->base.ops = &gssapi_ops;
	m->krb = k;
	memcpy(m->prefs, k->prefs, sizeof(m->prefs));
	m->nprefs = k->nprefs;
	rc = acquire_cred(k, &m->cred, err, errlen);
	if (rc == 0) {
		OM_uint32 major, minor;
		gss_buffer_desc n = { strlen(target), target };
		major = gss_import_name(&minor, &n, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME,
		    &m->target);
		if (GSS_ERROR(major)) {
			gss_message(err, errlen, "bad server principal", major, minor);
			rc = HDFS_EAUTH;
		}
	}
	if (rc) {
		mech_free(&m->base);
		return rc;
	}
	*out = &m->base;
	return 0;
}
