/* The thin socket layer under the protocol engines: internal. */
#ifndef HADOOFUS_NET_H
#define HADOOFUS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on a monotonic clock. */
int64_t hdfs_now_ms(void);

/*
 * Resolve host and connect a non-blocking, close-on-exec TCP socket with
 * TCP_NODELAY, trying each address until one answers within timeout_ms in
 * total (<= 0: no limit). Returns 0 with *fd_out set, HDFS_ECONNECT or
 * HDFS_ETIMEDOUT with a message in err.
 */
int hdfs_net_connect(const char *host, int port, int timeout_ms, int *fd_out,
    char *err, size_t errlen);

/* poll() one fd; returns revents (0 on timeout) or -errno. timeout_ms < 0
 * waits forever. EINTR is retried. */
int hdfs_net_poll(int fd, short events, int timeout_ms);

/*
 * Write all of p on a socket (without blocking in send, whatever the
 * socket's mode), waiting for writability up to
 * timeout_ms in total (<= 0: no limit). Returns 0, HDFS_ECONNRESET or
 * HDFS_ETIMEDOUT (message in err).
 */
int hdfs_net_write_all(int fd, const uint8_t *p, size_t n, int timeout_ms,
    char *err, size_t errlen);

/* One non-blocking read (MSG_DONTWAIT, whatever the socket's mode):
 * > 0 bytes, 0 = orderly close, -EAGAIN, -errno. */
ssize_t hdfs_net_read(int fd, uint8_t *p, size_t n);

/*
 * Sockets are made non-blocking; hdfs_net_read and hdfs_net_write_all
 * never block either way. A socket switched to blocking mode (0 or -errno)
 * can also be read with hdfs_net_read_wait, which sleeps in recv() until
 * data, EOF or an error (shutdown() wakes it): one system call where
 * poll() + recv() take two. Returns as hdfs_net_read.
 */
int hdfs_net_set_blocking(int fd, int blocking);
ssize_t hdfs_net_read_wait(int fd, uint8_t *p, size_t n);

#endif
