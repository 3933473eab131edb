#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hadoofus/error.h"
#include "util/net.h"

int64_t
hdfs_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
remaining(int64_t deadline)
{
	if (deadline == 0)
		return -1;
	int64_t left = deadline - hdfs_now_ms();
	return left <= 0 ? 0 : (left > 1000000000 ? 1000000000 : (int)left);
}

int
hdfs_net_poll(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t deadline = timeout_ms >= 0 ? hdfs_now_ms() + timeout_ms : 0;
	for (;;) {
		int r = poll(&pfd, 1, timeout_ms < 0 ? -1 : remaining(deadline));
		if (r > 0)
			return pfd.revents;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int
hdfs_net_connect(const char *host, int port, int timeout_ms, int *fd_out,
    char *err, size_t errlen)
{
	char portstr[16];
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV }, *res = NULL;
	int64_t deadline = timeout_ms > 0 ? hdfs_now_ms() + timeout_ms : 0;

	*fd_out = -1;
	if (port <= 0 || port > 65535) {
		snprintf(err, errlen, "invalid port %d", port);
		return HDFS_ECONNECT;
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(gai));
		return HDFS_ECONNECT;
	}
	int rc = HDFS_ECONNECT;
	snprintf(err, errlen, "no address for %s", host);
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
		if (fd < 0) {
			snprintf(err, errlen, "socket: %s", strerror(errno));
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		int e = 0;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			e = errno;
			if (e == EINPROGRESS) {
				int r = hdfs_net_poll(fd, POLLOUT, remaining(deadline));
				if (r == 0) {
					snprintf(err, errlen, "connect to %s:%d timed out", host, port);
					rc = HDFS_ETIMEDOUT;
					close(fd);
					continue;
				}
				socklen_t sl = sizeof(e);
				if (r < 0)
					e = -r;
				else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
					e = errno;
			}
		}
		if (e == 0) {
			*fd_out = fd;
			rc = 0;
			break;
		}
		snprintf(err, errlen, "connect to %s:%d: %s", host, port, strerror(e));
		rc = HDFS_ECONNECT;
		close(fd);
	}
	freeaddrinfo(res);
	return rc;
}

int
hdfs_net_write_all(int fd, const uint8_t *p, size_t n, int timeout_ms,
    char *err, size_t errlen)
{
	int64_t deadline = timeout_ms > 0 ? hdfs_now_ms() + timeout_ms : 0;
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = hdfs_net_poll(fd, POLLOUT, remaining(deadline));
			if (r == 0) {
				snprintf(err, errlen, "write timed out");
				return HDFS_ETIMEDOUT;
			}
			if (r < 0) {
				snprintf(err, errlen, "poll: %s", strerror(-r));
				return HDFS_ECONNRESET;
			}
			continue;
		}
		snprintf(err, errlen, "write: %s", w < 0 ? strerror(errno) : "no progress");
		return HDFS_ECONNRESET;
	}
	return 0;
}

/* recv() retried across signals, its errors as negative errno values. */
static ssize_t
recv_retrying(int fd, uint8_t *p, size_t n, int flags)
{
	for (;;) {
		ssize_t r = recv(fd, p, n, flags);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return -EAGAIN;
		return -errno;
	}
}

ssize_t
hdfs_net_read(int fd, uint8_t *p, size_t n)
{
	return recv_retrying(fd, p, n, MSG_DONTWAIT);
}

int
hdfs_net_set_blocking(int fd, int blocking)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	int want = blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK;
	if (want != fl && fcntl(fd, F_SETFL, want) < 0)
		return -errno;
	return 0;
}

ssize_t
hdfs_net_read_wait(int fd, uint8_t *p, size_t n)
{
	return recv_retrying(fd, p, n, 0);
}
