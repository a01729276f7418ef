"""The load test's HTTP client: HTTP/1.1 over asyncio streams, one connection at a time.

bench/load.py plays up to 2,000 phones on the same 2 cores as the server, so every
millisecond of CPU this client spends is a millisecond the server does not get. aiohttp,
which it used before, spent 0.5-0.8 ms of CPU per request in the marketplace burst,
half of it in its own request and response objects and its cookie parsing; this
client does what the phones need and no more, for about half that
(docs/performance.md, "Ninth pass").

What a phone needs, as its browser does it:
- a kept-alive connection, dropped when idle longer than `keepalive` (gunicorn closes
  idle ones after 5 s), and sent again once on a new connection when a kept one turns
  out closed before any answer came, as browsers do;
- its cookies: sent with every request, taken from every Set-Cookie, removed when one
  comes with Max-Age 0 or less (how Django deletes a cookie) or when its Max-Age runs
  out (as the few seconds of openspace.live's cookie of a phone's own write do). One
  host, and every cookie this server sets has Path=/, so there is nothing else to
  match;
- gzip: asked for as aiohttp and browsers ask, and the body unpacked only when read;
- redirects are not followed: each step says what it expects, and follows them itself.

Only the given host and port are ever contacted.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
import zlib

# What aiohttp sent with every request, so that the server's work stays the same.
_COMMON = "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n"


class Response:
    __slots__ = ("status", "headers", "cookies", "_raw", "_body")

    def __init__(self, status: int, headers: dict, cookies: dict, raw: bytes) -> None:
        self.status = status
        self.headers = headers  # lower-case name -> value (the last one, if repeated)
        self.cookies = cookies  # the cookies this response set: name -> value
        self._raw = raw
        self._body = None

    @property
    def body(self) -> bytes:
        """The body, unpacked if it came gzipped."""
        if self._body is None:
            encoding = self.headers.get("content-encoding", "")
            if encoding == "gzip":
                self._body = zlib.decompress(self._raw, 16 + zlib.MAX_WBITS)
            elif encoding == "deflate":
                self._body = zlib.decompress(self._raw)
            else:
                self._body = self._raw
        return self._body


class Client:
    """One phone (or one poller): its cookies and its one connection to host:port."""

    def __init__(
        self,
        host: str,
        port: int,
        cookies: dict | None = None,
        *,
        keepalive: float = 4.0,
        close: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self.keepalive, self.close_each, self.timeout = keepalive, close, timeout
        self._reader = self._writer = None
        self._idle_since = 0.0
        self._answer_began = False
        self._expires: dict[str, float] = {}  # cookies with a Max-Age: name -> when it ends

    async def get(self, path: str, headers: dict | None = None) -> Response:
        return await self.request("GET", path, headers)

    async def post(self, path: str, fields: dict, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(fields).encode()
        headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
        return await self.request("POST", path, headers, body)

    async def request(
        self, method: str, path: str, headers: dict | None = None, body: bytes = b""
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{_COMMON}"]
        if self._expires:
            now = time.monotonic()
            for name in [name for name, at in self._expires.items() if at <= now]:
                del self._expires[name]
                self.cookies.pop(name, None)
        if self.cookies:
            lines.append(f"Cookie: {'; '.join(f'{k}={v}' for k, v in self.cookies.items())}\r\n")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}\r\n")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}\r\n")
        if self.close_each:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        message = "".join(lines).encode("latin-1") + body
        try:
            async with asyncio.timeout(self.timeout):
                kept = await self._connect()
                try:
                    return await self._exchange(message, method)
                except (asyncio.IncompleteReadError, ConnectionResetError):
                    # A kept connection the server had closed: no answer began, so
                    # nothing was done; a browser sends the request again, on a new one.
                    if not kept or self._answer_began:
                        raise
                    self.close()
                    await self._connect()
                    return await self._exchange(message, method)
        except BaseException:
            # Timed out, cut off or cancelled half-way: the connection may still carry
            # the rest of this answer, so it is not used again.
            self.close()
            raise

    async def _connect(self) -> bool:
        """Open a connection unless a live one is kept; True if a kept one is used."""
        if self._writer is not None:
            if time.monotonic() - self._idle_since < self.keepalive:
                return True
            self.close()
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return False

    async def _exchange(self, message: bytes, method: str) -> Response:
        self._answer_began = False
        self._writer.write(message)
        head = await self._reader.readuntil(b"\r\n\r\n")
        self._answer_began = True
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers, set_cookies = {}, []
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "set-cookie":
                set_cookies.append(value)
            headers[name] = value
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            raw = b""
        elif "content-length" in headers:
            raw = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            raw = await self._chunked()
        else:
            raw = await self._reader.read()  # the body runs to the end of the connection
            headers["connection"] = "close"
        cookies = {}
        for value in set_cookies:
            pair, _, attributes = value.partition(";")
            name, _, cookie = pair.partition("=")
            name = name.strip()
            max_age = _max_age(attributes)
            self._expires.pop(name, None)
            if max_age is not None and max_age <= 0:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookies[name] = cookie.strip()  # sent back as it came
                if max_age is not None:
                    self._expires[name] = time.monotonic() + max_age
        if self.close_each or headers.get("connection", "").lower() == "close":
            self.close()
        else:
            self._idle_since = time.monotonic()
        return Response(status, headers, cookies, raw)

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")  # no trailers from this server
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


def _max_age(attributes: str) -> int | None:
    """A Set-Cookie's Max-Age in seconds (0 or less removes the cookie), or None."""
    lowered = attributes.lower()
    at = lowered.find("max-age=")
    if at < 0:
        return None
    try:
        return int(lowered[at + 8 :].split(";", 1)[0].strip())
    except ValueError:
        return None
