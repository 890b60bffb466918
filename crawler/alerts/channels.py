"""Sending one message to one channel; `DeliveryFailed` when the channel did not take it.

Apprise carries what it does right: e-mail over SMTP (TLS modes, MIME, encoded Chinese subjects)
and WeCom robots. By hand, small and tested against receivers on 127.0.0.1:
- DingTalk: Apprise 2.3 URL-encodes the 加签 signature twice (it quotes it, then requests encodes
  the query again), which DingTalk refuses as "sign not match"; and its errcode in a 200 answer
  is not checked.
- Feishu/Lark: Apprise has no 签名校验 (signed webhook) at all.
- The generic webhook: Apprise's `json://` posts only a title and a text; ours posts the counts
  and items as JSON (`Message.to_json`).

Every channel is addressed by the URL the portfolio gives (the robot URL as the platform shows
it, or a gateway in front of it), which is also how the tests reach their receivers. For WeCom
that means setting the Apprise plugin's `api_url` after construction (a private attribute:
pyproject.toml caps Apprise, tests/test_private_apis.py checks it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from crawler.alerts.message import Message
from crawler.portfolio.alerts_spec import ChannelSpec

__all__ = ["TIMEOUT", "DeliveryFailed", "send"]

TIMEOUT = 10.0  # seconds per HTTP request or SMTP conversation


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; the message says how."""


def _post_json(url: str, payload: dict[str, Any], timeout: float) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "footer-audit"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"cannot reach {urlsplit(url).netloc}: {reason}") from None
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, ValueError):
        return None


def _with_query(url: str, extra: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{extra}"


def _dingtalk(channel: ChannelSpec, message: Message, timeout: float) -> None:
    url = channel.url or ""
    if channel.secret:
        # https://open.dingtalk.com/document/robots/customize-robot-security-settings
        stamp = str(round(time.time() * 1000))
        digest = hmac.new(channel.secret.encode(), f"{stamp}\n{channel.secret}".encode(),
                          hashlib.sha256).digest()
        url = _with_query(url, f"timestamp={stamp}&sign={quote_plus(base64.b64encode(digest))}")
    answer = _post_json(url, {"msgtype": "markdown", "markdown": {
        "title": message.title, "text": message.markdown}}, timeout)
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryFailed(f"DingTalk errcode {answer.get('errcode')}: {answer.get('errmsg')}")


def _feishu(channel: ChannelSpec, message: Message, timeout: float) -> None:
    payload: dict[str, Any] = {"msg_type": "text", "content": {"text": message.text}}
    if channel.secret:
        # https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot: the HMAC key is
        # "timestamp\nsecret", the message is empty.
        stamp = str(int(time.time()))
        digest = hmac.new(f"{stamp}\n{channel.secret}".encode(), b"", hashlib.sha256).digest()
        payload.update(timestamp=stamp, sign=base64.b64encode(digest).decode())
    answer = _post_json(channel.url or "", payload, timeout)
    if isinstance(answer, dict):
        code = answer.get("code", answer.get("StatusCode", 0))
        if code not in (0, None):
            raise DeliveryFailed(f"{channel.type} code {code}: {answer.get('msg')}")


def _webhook(channel: ChannelSpec, message: Message, timeout: float) -> None:
    _post_json(channel.url or "", message.to_json(), timeout)


def _wecom(channel: ChannelSpec, message: Message, timeout: float) -> None:
    from apprise.plugins.wecombot import NotifyWeComBot

    key = (parse_qs(urlsplit(channel.url or "").query).get("key") or [""])[0]
    try:
        plugin = NotifyWeComBot(key=key, cto=timeout, rto=timeout)
    except TypeError as exc:  # Apprise refuses the key
        raise DeliveryFailed(str(exc)) from None
    plugin.api_url = channel.url  # the configured robot URL (see the module's note)
    if not plugin.notify(body=message.text, title=""):
        raise DeliveryFailed("WeCom robot did not take the message (Apprise logged why)")


def _email(channel: ChannelSpec, message: Message, timeout: float) -> None:
    from apprise.plugins.email import NotifyEmail

    mode = {"ssl": "ssl", "starttls": "starttls", "none": "insecure"}[channel.smtp_security]
    try:
        plugin = NotifyEmail(
            host=channel.smtp_host, port=channel.smtp_port, user=channel.smtp_user,
            password=channel.smtp_password, secure=channel.smtp_security != "none",
            secure_mode=mode, smtp_host=channel.smtp_host,
            from_addr=channel.sender or channel.smtp_user, targets=list(channel.to),
            cto=timeout, rto=timeout)
    except TypeError as exc:
        raise DeliveryFailed(str(exc)) from None
    if not plugin.notify(body=message.text, title=message.title, body_format="text"):
        raise DeliveryFailed(f"SMTP server {channel.smtp_host} did not take the message "
                             "(Apprise logged why)")


_SENDERS = {"dingtalk": _dingtalk, "feishu": _feishu, "lark": _feishu, "wecom": _wecom,
            "email": _email, "webhook": _webhook}


def send(channel: ChannelSpec, message: Message, timeout: float = TIMEOUT) -> None:
    """Deliver `message` once; DeliveryFailed otherwise."""
    _SENDERS[channel.type](channel, message, timeout)
