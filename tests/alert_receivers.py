"""Receivers for alerts, on 127.0.0.1: an HTTP server that records every POST and answers from a
script (500 twice, then 200...), and an SMTP server (aiosmtpd) that keeps every message.

    with HttpReceiver(answers=[500, 500]) as hook:   # then 200 {"errcode": 0, "code": 0}
        hook.url("/robot/send?access_token=t")
        hook.posts                                  # [Post(path, query, json), ...]
    with SmtpReceiver() as smtp:
        smtp.port; smtp.messages                    # [email.message.Message, ...]
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.mockserver import QuietHandler
from tests.redis_server import free_port

__all__ = ["HttpReceiver", "Post", "SmtpReceiver"]


@dataclass
class Post:
    path: str
    query: dict[str, str]
    body: Any
    raw_query: str


class HttpReceiver:
    def __init__(self, answers: list[int] | None = None, *, always: int | None = None,
                 reply: dict[str, Any] | None = None) -> None:
        self.answers = list(answers or [])
        self.always = always
        self.reply = reply if reply is not None else {"errcode": 0, "code": 0}
        self.posts: list[Post] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                parts = urlsplit(self.path)
                with receiver.lock:
                    receiver.posts.append(Post(parts.path, {
                        k: v[0] for k, v in parse_qs(parts.query).items()},
                        json.loads(raw) if raw else None, parts.query))
                    status = (receiver.always if receiver.always is not None
                              else receiver.answers.pop(0) if receiver.answers else 200)
                body = json.dumps(receiver.reply if status == 200 else {"error": status}).encode()
                self._send(status, "application/json", body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class SmtpReceiver:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                receiver.messages.append(email.message_from_bytes(
                    envelope.content, policy=email.policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
