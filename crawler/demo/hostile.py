"""A hostile web server: one named resource per way a host can hurt a crawl.

What `bench/hostile_pages.py` measures and the fault tests assert on: every such page ends in
bounded time with a status of its own. Run ``python -m crawler.demo.hostile``: it serves on
127.0.0.1, port 0, and prints its base URL on the first line of stdout. `HostileServer` starts it in
a subprocess as a context manager.

Resources (also as the homepage of a host named after them: `http://load-loop.cn/` is
/load-loop, `www.` included, for portfolio crawls through `--resolve`):
    /ok                 a compliant footer (the page that must still be audited beside the others)
    /load-loop          a compliant footer, and a load-event handler that loops for ever
    /late-loop          the same loop started just after the load event (navigation succeeds, the
                        page never answers a script call again)
    /gzip-bomb          Content-Encoding: gzip, about 1 MB on the wire inflating to 1 GiB
    /endless            an HTML page whose body never ends (no Content-Length)
    /endless-frame      a compliant footer, and an <iframe> of /endless (what the browser loads
                        beyond the document itself)
    /big                30 MB of HTML with a Content-Length
    /big-stream         30 MB of HTML without a Content-Length (the end is the connection's end)
    /popup              a compliant footer; window.open() on load (a popup that never closes)
    /dialogs            a compliant footer; alert(), confirm() and prompt() before and after load
    /png-as-html        PNG bytes served as text/html
    /html-as-png        the compliant page served as image/png
    /redirect-loop      302 to itself
    /refresh-loop       a page whose <meta http-equiv=refresh> points to itself at once
"""

from __future__ import annotations

import struct
import threading
import zlib
from http.server import ThreadingHTTPServer

from crawler.demo.pages import PNG_PIXEL, footer, page
from crawler.demo.server import QuietHandler, ServerProcess

__all__ = ["BIG_BYTES", "BOMB_BYTES", "HostileServer"]

BIG_BYTES = 30 * 1024 * 1024  # /big, /big-stream: three times DOWNLOAD_MAXSIZE
BOMB_BYTES = 1024 * 1024 * 1024  # /gzip-bomb, inflated
_CHUNK = 1024 * 1024

_OK = page()
_LOAD_LOOP = page(head="<script>window.addEventListener('load', () => "
                       "{ while (true) {} });</script>")
_LATE_LOOP = page(head="<script>window.addEventListener('load', () => "
                       "setTimeout(() => { while (true) {} }, 30));</script>")
_POPUP = page(head="<script>window.addEventListener('load', () => "
                   "{ window.open('/ok', '_blank'); });</script>")
_DIALOGS = page(head=(
    "<script>alert('hello'); confirm('sure?'); prompt('name?');"
    "window.addEventListener('load', () => { alert('loaded'); confirm('again?'); });</script>"))
_REFRESH = page(head='<meta http-equiv="refresh" content="0;url=/refresh-loop">')
_ENDLESS_FRAME = page(foot=footer(extra='<iframe src="/endless"></iframe>'))
_FILLER = ("<p>" + "填充内容 filler " * 60 + "</p>\n").encode()

_bomb_lock = threading.Lock()
_bomb: list[bytes] = []


def _gzip_bomb() -> bytes:
    """A gzip stream of BOMB_BYTES of HTML (mostly spaces), built once (~1 MB) in well under a
    second: after a full flush the compressor starts afresh, so one compressed block of spaces
    stands for every other."""
    with _bomb_lock:
        if not _bomb:
            head, tail = b"<!DOCTYPE html><html><body><p>bomb</p>", _OK.encode()
            block = b" " * _CHUNK
            blocks = (BOMB_BYTES - len(head) - len(tail)) // _CHUNK
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            first = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
            packed = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
            last = deflate.compress(tail) + deflate.flush()
            crc = zlib.crc32(head)
            for _ in range(blocks):
                crc = zlib.crc32(block, crc)
            crc = zlib.crc32(tail, crc)
            size = len(head) + blocks * _CHUNK + len(tail)
            _bomb.append(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + first
                         + packed * blocks + last
                         + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF))
        return _bomb[0]


class _Handler(QuietHandler):
    def _stream(self, total: int | None, *, length: bool) -> None:
        """HTML of `total` bytes (None: for ever), with or without a Content-Length."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if length and total is not None:
            self.send_header("Content-Length", str(total))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        head = b'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        chunk = _FILLER * (64 * 1024 // len(_FILLER))
        sent = 0
        try:
            self.wfile.write(head)
            sent = len(head)
            while total is None or sent < total:
                part = chunk if total is None else chunk[: total - sent]
                self.wfile.write(part)
                sent += len(part)
        except OSError:  # the client gave up: that is the point
            pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":  # a portfolio crawl asks for homepages: the host names the resource
            host = (self.headers.get("Host") or "").split(":")[0].removeprefix("www.")
            path = "/" + host.split(".")[0]
        html = "text/html; charset=utf-8"
        if path == "/ok":
            self._send(200, html, _OK.encode())
        elif path == "/load-loop":
            self._send(200, html, _LOAD_LOOP.encode())
        elif path == "/late-loop":
            self._send(200, html, _LATE_LOOP.encode())
        elif path == "/popup":
            self._send(200, html, _POPUP.encode())
        elif path == "/dialogs":
            self._send(200, html, _DIALOGS.encode())
        elif path == "/gzip-bomb":
            self._send(200, html, _gzip_bomb(), {"Content-Encoding": "gzip"})
        elif path == "/endless":
            self._stream(None, length=False)
        elif path == "/endless-frame":
            self._send(200, html, _ENDLESS_FRAME.encode())
        elif path == "/big":
            self._stream(BIG_BYTES, length=True)
        elif path == "/big-stream":
            self._stream(BIG_BYTES, length=False)
        elif path == "/png-as-html":
            self._send(200, html, PNG_PIXEL)
        elif path == "/html-as-png":
            self._send(200, "image/png", _OK.encode())
        elif path == "/redirect-loop":
            self._send(302, html, b"", {"Location": "/redirect-loop"})
        elif path == "/refresh-loop":
            self._send(200, html, _REFRESH.encode())
        else:
            self._send(404, html, page("<p>not found</p>", foot="").encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Quiet: clients that hang up on an endless body are what this server is for."""


def serve() -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


class HostileServer(ServerProcess):
    """The server in a subprocess: ``with HostileServer() as server: server.url("/endless")``."""

    module = "crawler.demo.hostile"


if __name__ == "__main__":
    serve()
