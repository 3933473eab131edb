#include "hadoofus/error.h"

const char *
hdfs_strerror(int code)
{
	switch (code) {
	case HDFS_OK: return "success";
	case HDFS_EAGAIN: return "operation would block; try again";
	case HDFS_ENOMEM: return "out of memory";
	case HDFS_EINVAL: return "invalid argument";
	case HDFS_EPROTO: return "protocol error: malformed or unexpected data from the peer";
	case HDFS_EREMOTE: return "the server raised an exception";
	case HDFS_ECONNECT: return "could not connect";
	case HDFS_ECONNRESET: return "connection lost";
	case HDFS_ETIMEDOUT: return "timed out";
	case HDFS_EAUTH: return "authentication failed";
	case HDFS_ECLOSED: return "handle closed";
	case HDFS_EIO: return "I/O error";
	case HDFS_EFATAL: return "the server rejected the connection";
	case HDFS_ETOOBIG: return "frame too large";
	case HDFS_ECHECKSUM: return "checksum mismatch";
	case HDFS_ENOTFOUND: return "not found";
	default: return "unknown error";
	}
}
