"""uvicorn's httptools protocol with the limits it lacks.

uvicorn (0.30+) bounds neither the size of a request head nor the time a
client may take to send it: the keep-alive timer runs only between
requests, and bytes of a half-sent head are buffered without end. A
slow-loris client or a megabyte of headers would tie up memory and a
connection for ever. protocol_class(limits) returns a subclass that
- answers 414 when the request target exceeds limits.max_url bytes and 431
  when the head exceeds limits.max_header_bytes, and closes the connection
  (nothing of the request reaches the app);
- answers 408 and closes when a request head is not complete within
  limits.header_timeout seconds of its first byte (or of the connection's
  start, for a connection that sends nothing).
- percent-encodes raw non-ASCII bytes in the request line before the
  parser sees them: Java's WebHdfsFileSystem (2.7) sends UTF-8 file names
  unencoded, Jetty accepts them, and httptools would answer 400.
- sends a response's head together with its first body bytes: uvicorn
  writes them apart, two send(2)s, and for a small answer (GETFILESTATUS)
  the head's alone took a fifth to a quarter of the event loop's samples.
Request bodies have their own stall timeout in http.Request.body.
"""

import logging
import re

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

access_log = logging.getLogger("hadoofus.gateway.access")

_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _quote_high(m):
    return b"%%%02X" % m.group()[0]


# Below this a held head is joined to the body bytes; above, a copy of the
# body would cost more than the second system call it saves.
_JOIN_MAX = 64 << 10


class _HeadHolder:
    """The transport a request cycle writes to: the first write after the
    response started (its head) waits for the next write, or for
    flush()/close(). Writes before the response starts (100 Continue) pass."""

    __slots__ = ("_t", "_cycle", "_held", "_head_done")

    def __init__(self, transport, cycle):
        self._t = transport
        self._cycle = cycle
        self._held = None
        self._head_done = False

    def write(self, data):
        if not self._head_done and self._cycle.response_started:
            self._head_done = True
            self._held = data
            return
        held = self._held
        if held is not None:
            self._held = None
            if len(data) <= _JOIN_MAX:
                data = held + data
            else:
                self._t.write(held)
        self._t.write(data)

    def flush(self):
        held, self._held = self._held, None
        if held is not None:
            self._t.write(held)

    def close(self):
        self.flush()
        self._t.close()

    def is_closing(self):
        return self._t.is_closing()

    def __getattr__(self, name):
        return getattr(self._t, name)


def protocol_class(limits):
    class LimitedHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport):
            self._head_bytes = 0
            self._rejected = False
            # The next byte starts a request line (_idle), or a request line
            # began in an earlier chunk (_line_pending). Only then does
            # data_received touch the bytes: never inside a head or a body.
            self._idle = True
            self._line_pending = False
            self._head_timer = None
            super().connection_made(transport)
            self._arm_head_timer()

        def connection_lost(self, exc):
            self._disarm_head_timer()
            super().connection_lost(exc)

        def _arm_head_timer(self):
            self._disarm_head_timer()
            self._head_timer = self.loop.call_later(limits.header_timeout, self._head_timeout)

        def _disarm_head_timer(self):
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timeout(self):
            self._head_timer = None
            # Only a request still without its head is cut: one being
            # answered or idle between requests has its own timers.
            if self.cycle is None or self.cycle.response_complete:
                self._reject(408, b"request head not received in time")

        def _reject(self, status, message):
            if self._rejected:
                return
            self._rejected = True
            self._disarm_head_timer()
            access_log.info('%s - "%s" %d 0 0 (%s)',
                            "%s:%d" % tuple(self.client) if self.client else "-",
                            getattr(self, "url", b"")[:200].decode("latin-1") or "-", status,
                            message.decode())
            # Out before the connection closes (a batching handler would
            # write it a loop iteration later); refusals are rare.
            for h in access_log.handlers:
                h.flush()
            if not self.transport.is_closing():
                self.transport.write(b"".join([
                    STATUS_LINE[status],
                    b"content-type: text/plain; charset=utf-8\r\n",
                    b"content-length: %d\r\n" % len(message),
                    b"connection: close\r\n\r\n", message]))
                self.transport.close()

        def data_received(self, data):
            if self._rejected:
                return
            line_pending = False
            if self._idle or self._line_pending:
                end = data.find(b"\n")
                line = data if end < 0 else data[:end]
                if not line.isascii():
                    data = _HIGH_BYTE.sub(_quote_high, line) + (b"" if end < 0 else data[end:])
                line_pending = end < 0
            super().data_received(data)
            self._line_pending = line_pending

        def on_message_begin(self):
            self._idle = False
            super().on_message_begin()
            self._head_bytes = 0
            self._arm_head_timer()

        def on_url(self, url):
            if self._rejected:
                return
            self._head_bytes += len(url)
            if len(self.url) + len(url) > limits.max_url:
                self._reject(414, b"request target too long")
                return
            super().on_url(url)

        def on_header(self, name, value):
            if self._rejected:
                return
            self._head_bytes += len(name) + len(value) + 4
            if self._head_bytes > limits.max_header_bytes:
                self._reject(431, b"request head too large")
                return
            super().on_header(name, value)

        def on_headers_complete(self):
            if self._rejected:
                return
            self._disarm_head_timer()
            super().on_headers_complete()
            cycle = self.cycle
            if cycle is not None and not isinstance(cycle.transport, _HeadHolder):
                holder = cycle.transport = _HeadHolder(self.transport, cycle)
                done = cycle.on_response

                def on_response():
                    # A response with no body write (HEAD) still holds its head.
                    holder.flush()
                    done()
                cycle.on_response = on_response

        def on_body(self, body):
            if self._rejected:
                return
            super().on_body(body)

        def on_message_complete(self):
            if self._rejected:
                return
            self._idle = True
            super().on_message_complete()

    return LimitedHttpToolsProtocol
