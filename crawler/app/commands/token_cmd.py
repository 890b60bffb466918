"""`footer-audit token create|list|revoke`: the API server's bearer tokens.

A token is printed once, at creation; the report store keeps only its SHA-256
(`crawler/api/tokens.py`). Scopes, each including the one before: `audit` (audit a page, check a
URL, read sites, runs and snippets), `crawl` (also start crawls), `admin` (everything).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

__all__ = ["app"]

app = typer.Typer(help="API tokens of `footer-audit serve`: create, list, revoke.",
                  no_args_is_help=True, rich_markup_mode=None)

StoreUrl = Annotated[str | None, typer.Option(
    "--store", metavar="URL",
    help="Report store: a SQLite file or redis://host:6379/0 (default: $REDIS_URL, else the "
         "embedded SQLite file).")]


@app.command()
def create(
    name: Annotated[str, typer.Option("--name", metavar="NAME",
                                      help="Who or what uses the token (unique).")],
    scope: Annotated[str, typer.Option(
        "--scope", metavar="audit|crawl|admin",
        help="audit: audit, check, sites, runs, snippet; crawl: also crawls; admin: all.")
    ] = "audit",
    store_url: StoreUrl = None,
) -> None:
    """Create a token and print it once (only its hash is kept)."""
    from crawler.api.tokens import create_token
    from crawler.reports.store import open_store

    with open_store(store_url) as store:
        token, record = create_token(store, name, scope)
    typer.echo(token)
    typer.echo(f"token {record.name!r} ({record.scope}) created: it is shown only now; "
               "send it as `Authorization: Bearer TOKEN`", err=True)


@app.command("list")
def list_tokens(
    store_url: StoreUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List tokens: name, scope, created, revoked (never the tokens themselves)."""
    from crawler.reports.store import open_store

    with open_store(store_url) as store:
        tokens = store.list_tokens()
    if as_json:
        typer.echo(json.dumps([{k: v for k, v in t.to_json().items() if k != "digest"}
                               for t in tokens], ensure_ascii=False, indent=2))
        return
    if not tokens:
        typer.echo("No tokens yet: footer-audit token create --name NAME")
    for t in tokens:
        state = f"revoked {t.revoked[:19]}" if t.revoked else "active"
        typer.echo(f"{t.name}\t{t.scope}\tcreated {t.created[:19]}\t{state}")


@app.command()
def revoke(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The token's name.")],
    store_url: StoreUrl = None,
) -> None:
    """Revoke a token: the server refuses it (403) from its next request."""
    from crawler.errors import UsageError
    from crawler.reports.store import open_store

    with open_store(store_url) as store:
        if not store.revoke_token(name):
            known = {t.name: t for t in store.list_tokens()}
            if name in known:
                raise UsageError(f"token {name!r} is revoked already")
            raise UsageError(f"no token named {name!r}")
    typer.echo(f"token {name!r} revoked")
