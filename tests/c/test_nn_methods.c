/*
 * The ClientProtocol method table against the service that protoc-c
 * generated from ClientNamenodeProtocol.proto: same methods, same message
 * types, sorted, and lookup finds exactly the table's names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hadoofus/namenode.h"

#include "ClientNamenodeProtocol.pb-c.h"
#include "check.h"

#define CHECK_MSG(cond, ...) do { \
	if (cond) { passed++; } else { failed++; \
		fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

static const ProtobufCServiceDescriptor *svc =
    &hadoop__hdfs__client_namenode_protocol__descriptor;

static const ProtobufCMethodDescriptor *
svc_method(const char *name)
{
	for (unsigned i = 0; i < svc->n_methods; i++)
		if (strcmp(svc->methods[i].name, name) == 0)
			return &svc->methods[i];
	return NULL;
}

/* "hadoop.hdfs.FooProto" ends with ".FooProto". */
static int
ends_with_type(const char *full, const char *type)
{
	size_t fl = strlen(full), tl = strlen(type);

	return fl > tl && full[fl - tl - 1] == '.' &&
	    strcmp(full + fl - tl, type) == 0;
}

static void
test_table_vs_service(void)
{
	size_t n = hdfs_nn_method_count();

	CHECK_MSG(n == svc->n_methods, "table has %zu methods, service %u",
	    n, svc->n_methods);
	CHECK(hdfs_nn_method_at(n) == NULL);

	for (size_t i = 0; i < n; i++) {
		const struct hdfs_nn_method *m = hdfs_nn_method_at(i);

		CHECK(m != NULL && m->name != NULL);
		if (m == NULL || m->name == NULL)
			continue;
		if (i > 0)
			CHECK_MSG(strcmp(hdfs_nn_method_at(i - 1)->name,
			    m->name) < 0, "not strictly sorted at %s", m->name);
		CHECK_MSG(m->request != NULL && m->response != NULL,
		    "%s: NULL descriptor", m->name);
		CHECK_MSG(m->flags == 0 || m->flags == HDFS_NN_IDEMPOTENT ||
		    m->flags == HDFS_NN_ATMOSTONCE, "%s: flags %#x", m->name,
		    m->flags);
		CHECK_MSG(hdfs_nn_method_lookup(m->name) == m,
		    "lookup(%s) misses", m->name);

		const ProtobufCMethodDescriptor *sm = svc_method(m->name);
		CHECK_MSG(sm != NULL, "%s: not in the service", m->name);
		if (sm == NULL || m->request == NULL || m->response == NULL)
			continue;
		CHECK_MSG(m->request == sm->input && m->response == sm->output,
		    "%s: types differ from the service", m->name);
		CHECK(m->request->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
		CHECK(m->response->magic == PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC);
	}

	/* And the other way round: every rpc of the service is in the table. */
	for (unsigned i = 0; i < svc->n_methods; i++)
		CHECK_MSG(hdfs_nn_method_lookup(svc->methods[i].name) != NULL,
		    "service method %s missing", svc->methods[i].name);
}

/* Types by name, as written in the .proto: catches a table entry that
 * points at a well-formed but wrong descriptor. */
static void
test_known_types(void)
{
	static const struct {
		const char *method, *req, *resp;
		unsigned flags;
	} known[] = {
		{ "getFileInfo", "GetFileInfoRequestProto",
		  "GetFileInfoResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getListing", "GetListingRequestProto",
		  "GetListingResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getBlockLocations", "GetBlockLocationsRequestProto",
		  "GetBlockLocationsResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getFsStats", "GetFsStatusRequestProto",
		  "GetFsStatsResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getEZForPath", "GetEZForPathRequestProto",
		  "GetEZForPathResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getHAServiceState", "HAServiceStateRequestProto",
		  "HAServiceStateResponseProto", HDFS_NN_IDEMPOTENT },
		{ "getDelegationToken", "GetDelegationTokenRequestProto",
		  "GetDelegationTokenResponseProto", HDFS_NN_IDEMPOTENT },
		{ "create", "CreateRequestProto", "CreateResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "append", "AppendRequestProto", "AppendResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "addBlock", "AddBlockRequestProto", "AddBlockResponseProto",
		  HDFS_NN_IDEMPOTENT },
		{ "complete", "CompleteRequestProto", "CompleteResponseProto",
		  HDFS_NN_IDEMPOTENT },
		{ "rename", "RenameRequestProto", "RenameResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "rename2", "Rename2RequestProto", "Rename2ResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "delete", "DeleteRequestProto", "DeleteResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "mkdirs", "MkdirsRequestProto", "MkdirsResponseProto",
		  HDFS_NN_IDEMPOTENT },
		{ "concat", "ConcatRequestProto", "ConcatResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "truncate", "TruncateRequestProto", "TruncateResponseProto",
		  HDFS_NN_IDEMPOTENT },
		{ "updatePipeline", "UpdatePipelineRequestProto",
		  "UpdatePipelineResponseProto", HDFS_NN_ATMOSTONCE },
		{ "setXAttr", "SetXAttrRequestProto", "SetXAttrResponseProto",
		  HDFS_NN_ATMOSTONCE },
		{ "msync", "MsyncRequestProto", "MsyncResponseProto",
		  HDFS_NN_IDEMPOTENT },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct hdfs_nn_method *m =
		    hdfs_nn_method_lookup(known[i].method);

		CHECK_MSG(m != NULL, "%s missing", known[i].method);
		if (m == NULL)
			continue;
		CHECK_MSG(ends_with_type(m->request->name, known[i].req),
		    "%s: request %s", m->name, m->request->name);
		CHECK_MSG(ends_with_type(m->response->name, known[i].resp),
		    "%s: response %s", m->name, m->response->name);
		CHECK_MSG(m->flags == known[i].flags, "%s: flags %#x",
		    m->name, m->flags);
	}

	/* Every request/response follows the XRequestProto/XResponseProto
	 * naming except getFsStats and getHAServiceState (checked above). */
	for (size_t i = 0; i < hdfs_nn_method_count(); i++) {
		const struct hdfs_nn_method *m = hdfs_nn_method_at(i);
		const char *rq = strrchr(m->request->name, '.');
		const char *rs = strrchr(m->response->name, '.');

		CHECK_MSG(rq != NULL && strstr(rq, "RequestProto") != NULL,
		    "%s: request %s", m->name, m->request->name);
		CHECK_MSG(rs != NULL && strstr(rs, "ResponseProto") != NULL,
		    "%s: response %s", m->name, m->response->name);
	}
}

static void
test_lookup_rejects(void)
{
	static const char *bad[] = {
		"", "getfileinfo", "GetFileInfo", "getFileInfo ", " getFileInfo",
		"getFileInf", "getFileInfoo", "zzz", "a", "abandonBlocks",
		"org.apache.hadoop.hdfs.protocol.ClientProtocol.getFileInfo",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(hdfs_nn_method_lookup(bad[i]) == NULL,
		    "lookup(\"%s\") should fail", bad[i]);
	CHECK(hdfs_nn_method_lookup(NULL) == NULL);

	/* The ends of the table, where bisection goes wrong first. */
	size_t n = hdfs_nn_method_count();
	CHECK(hdfs_nn_method_lookup(hdfs_nn_method_at(0)->name) ==
	    hdfs_nn_method_at(0));
	CHECK(hdfs_nn_method_lookup(hdfs_nn_method_at(n - 1)->name) ==
	    hdfs_nn_method_at(n - 1));
}

int
main(void)
{
	test_table_vs_service();
	test_known_types();
	test_lookup_rejects();
	return check_done("test_nn_methods");
}
