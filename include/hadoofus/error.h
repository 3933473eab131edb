/*
 * hadoofus error codes.
 *
 * Every fallible hadoofus function returns int: 0 on success or one of the
 * negative HDFS_E* codes below. Detail (a message, and for HDFS_EREMOTE the
 * Java exception class) is kept in the handle the function was called on,
 * never in globals.
 */
#ifndef HADOOFUS_ERROR_H
#define HADOOFUS_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HADOOFUS_BUILDING)
#define HDFS_API __attribute__((visibility("default")))
#else
#define HDFS_API
#endif

enum hdfs_error {
	HDFS_OK = 0,
	HDFS_EAGAIN = -1,       /* not done yet: feed more input / wait for events */
	HDFS_ENOMEM = -2,       /* an allocation failed; the handle is still usable */
	HDFS_EINVAL = -3,       /* a bad argument was refused before anything was sent */
	HDFS_EPROTO = -4,       /* the peer sent bytes that break the protocol */
	HDFS_EREMOTE = -5,      /* the server raised a Java exception (see the handle) */
	HDFS_ECONNECT = -6,     /* could not connect / resolve */
	HDFS_ECONNRESET = -7,   /* the connection broke or was closed by the peer */
	HDFS_ETIMEDOUT = -8,    /* no answer within the configured timeout */
	HDFS_EAUTH = -9,        /* authentication failed or is not supported */
	HDFS_ECLOSED = -10,     /* the handle was closed */
	HDFS_EIO = -11,         /* a local I/O error (errno kept in the handle) */
	HDFS_EFATAL = -12,      /* the server rejected the connection (FATAL status) */
	HDFS_ETOOBIG = -13,     /* a frame exceeds the configured maximum size */
	HDFS_ECHECKSUM = -14,   /* data failed checksum verification */
	HDFS_ENOTFOUND = -15,   /* a lookup found nothing (e.g. unknown method name) */
};

/* A static English description of an HDFS_E* code; never NULL. */
HDFS_API const char *hdfs_strerror(int code);

#ifdef __cplusplus
}
#endif
#endif
