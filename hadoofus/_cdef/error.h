/* cffi cdef for <hadoofus/error.h>. */

enum hdfs_error {
	HDFS_OK = 0,
	HDFS_EAGAIN = -1,
	HDFS_ENOMEM = -2,
	HDFS_EINVAL = -3,
	HDFS_EPROTO = -4,
	HDFS_EREMOTE = -5,
	HDFS_ECONNECT = -6,
	HDFS_ECONNRESET = -7,
	HDFS_ETIMEDOUT = -8,
	HDFS_EAUTH = -9,
	HDFS_ECLOSED = -10,
	HDFS_EIO = -11,
	HDFS_EFATAL = -12,
	HDFS_ETOOBIG = -13,
	HDFS_ECHECKSUM = -14,
	HDFS_ENOTFOUND = -15,
};

const char *hdfs_strerror(int code);
