"""Fetching a page statically: charset, TLS, name resolution (`--resolve`), the address guard of a
crawl, page size and time limits, local files, and the page statuses a fetch ends in."""
