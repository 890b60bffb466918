"""After a run: collect its changes, build each channel's message, send it with retries.

A failed delivery is retried with exponential backoff (tenacity: `alerts.retry.attempts` tries,
waiting `alerts.retry.backoff` seconds, then twice as long each time), logged, and given up
without ever failing the run: the alerts are news about a run, not part of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.alerts.changes import AlertItem, OwnerChanges, RunChanges, collect_changes
from crawler.alerts.channels import DeliveryFailed, send
from crawler.alerts.message import build_message

if TYPE_CHECKING:
    from crawler.portfolio.alerts_spec import AlertsSpec
    from crawler.portfolio.model import Portfolio

__all__ = ["Delivery", "deliver", "sample_changes", "send_run_alerts"]

logger = logging.getLogger(__name__)


@dataclass
class Delivery:
    channel: str
    ok: bool
    attempts: int
    error: str = ""
    skipped: bool = False  # nothing changed for the owners it serves


def _send_with_retry(spec: AlertsSpec, channel: Any, message: Any,
                     sleep: Callable[[float], None]) -> Delivery:
    from tenacity import (
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        wait_exponential,
    )

    attempts = 0

    def log_retry(state: Any) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.warning("alert to %s failed (try %d of %d): %s; retrying in %.2f s", channel.label,
                       state.attempt_number, spec.retry.attempts, exc,
                       state.next_action.sleep if state.next_action else 0)

    retrying = Retrying(
        stop=stop_after_attempt(spec.retry.attempts),
        wait=wait_exponential(multiplier=spec.retry.backoff, min=spec.retry.backoff),
        retry=retry_if_exception_type(DeliveryFailed), before_sleep=log_retry, sleep=sleep,
        reraise=True)
    try:
        for attempt in retrying:
            with attempt:
                attempts = attempt.retry_state.attempt_number
                send(channel, message)
    except DeliveryFailed as exc:
        logger.error("alert to %s not delivered after %d tries: %s", channel.label, attempts, exc)
        return Delivery(channel.label, False, attempts, str(exc))
    except Exception as exc:  # a bug or an odd answer must not end the run
        logger.exception("alert to %s failed", channel.label)
        return Delivery(channel.label, False, attempts, f"{type(exc).__name__}: {exc}")
    return Delivery(channel.label, True, attempts)


def deliver(spec: AlertsSpec, changes: RunChanges, *, sample: bool = False,
            sleep: Callable[[float], None] | None = None) -> list[Delivery]:
    """Send each channel the changes of the owners it serves; never raises."""
    import time

    results = []
    link = spec.link(changes.run_id)
    for channel in spec.channels:
        owners = [g for g in changes.owners.values() if g.total
                  and (channel.serves(g.owner, "") or any(channel.serves("", o) for o in g.orgs))]
        if not owners:
            results.append(Delivery(channel.label, True, 0, skipped=True))
            continue
        message = build_message(changes, owners, link, sample=sample)
        results.append(_send_with_retry(spec, channel, message, sleep or time.sleep))
    return results


def send_run_alerts(portfolio: Portfolio, run_id: str, store_url: str | None) -> list[Delivery]:
    """The alerts of a stored run (what `footer-audit run` calls); never raises."""
    from crawler.reports.store import open_store

    if not portfolio.alerts.channels:
        return []
    try:
        with open_store(store_url) as store:
            run = store.get_run(run_id)
            if run is None:
                logger.error("alerts: no run %s in the store", run_id)
                return []
            changes = collect_changes(store, run, keep=portfolio.alerts.max_items)
    except Exception as exc:  # the store went away after the run: say so, do not fail it
        logger.error("alerts: could not read the changes of run %s: %s", run_id, exc)
        return []
    if changes.empty:
        logger.info("alerts: nothing changed in run %s", run_id)
        return []
    return deliver(portfolio.alerts, changes)


def sample_changes(portfolio: Portfolio) -> RunChanges:
    """Made-up changes for `footer-audit alerts test`: one group per owner of the portfolio, so
    each channel shows what it will receive."""
    changes = RunChanges(portfolio.name, "sample-run", "sample-previous-run", "finished")
    for org in portfolio.organisations:
        domains: dict[str, str] = {}  # owner -> one of the domains it owns
        for spec in org.domains:
            domains.setdefault(org.owner_of(spec) or org.name, spec.domain)
        if not domains:
            domains[org.owner or org.name] = "example.cn"
        for owner, domain in sorted(domains.items()):
            group = changes.owners.setdefault(owner, OwnerChanges(owner))
            group.add(AlertItem("new", domain, f"https://{domain}/", "icp_link_missing", "error",
                                "ICP 备案号没有链接到工信部备案系统（测试数据）",
                                "京ICP备12345678号-1", org.name), 5)
            group.add(AlertItem("fixed", domain, f"https://{domain}/", "copyright_year_stale",
                                "warning", "版权年份过旧（测试数据）", "", org.name), 5)
    return changes
