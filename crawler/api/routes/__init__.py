"""One APIRouter per area, each module's `router`, mounted under `/api/v1` by `create_app`.

    audit    POST /audit            a page the browser has, audited as the crawl audits one
    check    POST /check            a URL the server fetches and renders (as `footer-audit check`)
    sites    GET  /sites/{host}     a site's latest audited state and its history
    runs     GET  /runs, /runs/{id}, /runs/{id}/diff, /runs/{id}/export
    snippet  GET  /snippet?host=    the compliant footer of a site of the portfolio
    crawls   POST /crawls, GET /crawls, /crawls/{id}, /crawls/{id}/events, POST .../cancel

A new area is a module here with a `router` and its name in AREAS.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

__all__ = ["AREAS", "routers"]

AREAS: tuple[str, ...] = ("audit", "check", "sites", "runs", "snippet", "crawls")


def routers() -> list[APIRouter]:
    return [importlib.import_module(f"{__name__}.{area}").router for area in AREAS]
