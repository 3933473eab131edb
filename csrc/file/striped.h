/*
 * Reading striped (erasure-coded) block groups, as Java's
 * DFSStripedInputStream: the data cells of a range from the data blocks
 * in parallel, and the cells of a dead or corrupt internal block rebuilt
 * from any k others. Internal to the file layer (file_read.c owns one per
 * erasure-coded file).
 */
#ifndef HADOOFUS_FILE_STRIPED_H
#define HADOOFUS_FILE_STRIPED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hadoofus/file.h"
#include "util/ec.h"

#include "hdfs.pb-c.h"

struct hdfs_ec_policy {
	char name[64];
	int kind;           /* HDFS_EC_RS or HDFS_EC_XOR */
	int k, m;
	uint32_t cell;
};

/*
 * The policy of a LocatedBlocksProto / HdfsFileStatusProto: built-in ones
 * come as an id only. 0, or HDFS_EPROTO with the reason in err (an
 * unknown id, a codec we lack: rs-legacy, replication).
 */
int hdfs_ec_policy_from_proto(const Hadoop__Hdfs__ErasureCodingPolicyProto *p,
    struct hdfs_ec_policy *out, char *err, size_t errlen);

struct hdfs_striped;

/* 0, HDFS_EINVAL (a bad policy), HDFS_ENOMEM. Strings are copied. */
int hdfs_striped_new(struct hdfs_striped **out, const struct hdfs_ec_policy *pol,
    const char *client, int connect_ms, int io_ms, unsigned dn_flags);
void hdfs_striped_free(struct hdfs_striped *s);

/*
 * [start, start + len) of the group lb (offsets within the group, len
 * within its numBytes) into buf: the data blocks' cells read in parallel;
 * cells of internal blocks that fail (no location, DataNode errors, bad
 * checksums) rebuilt from parity. DataNodes that failed are skipped in
 * later calls until hdfs_striped_forget_dead. Thread-safe. Counts into st
 * (added to, under the caller's lock: st_mu). Returns 0, HDFS_EAUTH (a
 * block token was refused: fetch the locations again), HDFS_EIO (fewer
 * than k internal blocks readable; detail in err), HDFS_ENOMEM.
 */
int hdfs_striped_pread(struct hdfs_striped *s, const Hadoop__Hdfs__LocatedBlockProto *lb,
    uint64_t start, size_t len, uint8_t *buf, struct hdfs_file_read_stats *st,
    pthread_mutex_t *st_mu, char *err, size_t errlen);

void hdfs_striped_forget_dead(struct hdfs_striped *s);

/* The data bytes of one stripe (k cells). */
uint64_t hdfs_striped_stripe_bytes(const struct hdfs_striped *s);

#endif
