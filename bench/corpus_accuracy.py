"""Extraction accuracy on the real-footer corpus.

Serves the corpus directory (default `../shared/corpus/real` from the repository root) on
127.0.0.1 as `text/html` with no charset, runs the check on every page, and compares six fields
with `labels.jsonl`: ICP numbers, ICP link host, 公安 code, 公安 link host, 公安 badge, copyright
holder. Prints one line per page and a total.

The check path is `crawler.check.check_pages(urls, expect, render="never")` when that module
exists; otherwise pages are fetched with urllib, decoded as Scrapy does (w3lib `html_to_unicode`)
and passed to `rules.audit.audit_page`. The output says which path ran.

    python bench/corpus_accuracy.py [CORPUS_DIR] [--verbose]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import importlib.util
import json
import sys
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = ("icp_numbers", "icp_link_host", "gongan_code", "gongan_link_host", "gongan_icon",
          "copyright_holder")


class _Handler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path):  # no charset: the page's own declaration must decide
        return "text/html" if str(path).endswith(".html") else super().guess_type(path)

    def log_message(self, *args):
        pass


def _host(url):
    if not url:
        return None
    return (urlsplit(url).hostname or "").lower() or None


def expected_fields(label: dict) -> dict:
    return {
        "icp_numbers": sorted(label["icp_numbers"]),
        "icp_link_host": _host(label["icp_link_href"]),
        "gongan_code": label["gongan_code"],
        "gongan_link_host": _host(label["gongan_link_href"]),
        "gongan_icon": bool(label["gongan_icon"]),
        "copyright_holder": label["copyright_holder"],
    }


def found_fields(result: dict) -> dict:
    f = result.get("findings") or {}
    icp = [m for m in f.get("icp", [])
           if m["in_footer"] and m["visible"] is not False and m["kind"] != "licence"]
    linked = next((m for m in icp if m.get("link")), None)
    gongan = [m for m in f.get("gongan", []) if m["in_footer"]]
    g = gongan[0] if gongan else None
    holder = next((c["holder"] for c in f.get("copyright", []) if c.get("holder")), None)
    return {
        "icp_numbers": sorted({m["number"] for m in icp}),
        "icp_link_host": _host(linked["link"]) if linked else None,
        "gongan_code": g["code"] if g else None,
        "gongan_link_host": _host(g["link"]) if g else None,
        "gongan_icon": bool(g["icon"]) if g else False,
        "copyright_holder": holder,
    }


def _check_path():
    if importlib.util.find_spec("crawler.check") is not None:
        from crawler import check as check_mod

        if hasattr(check_mod, "check_pages"):
            def run(urls):
                return check_mod.check_pages(urls, None, render="never")

            return "crawler.check.check_pages (render=never)", run

    def run_fallback(urls):
        from w3lib.encoding import html_to_unicode

        from rules.audit import audit_page
        from rules.model import PageInput

        out = []
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read()
                ctype = resp.headers.get("Content-Type")
            encoding, text = html_to_unicode(ctype, body)
            out.append(audit_page(PageInput(url=url, html=text)).to_json(encoding=encoding))
        return out

    return "fallback: urllib + w3lib html_to_unicode + rules.audit.audit_page", run_fallback


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "real"))
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    labels_file = corpus / "labels.jsonl"
    if not labels_file.is_file():
        print(f"no labels.jsonl in {corpus}", file=sys.stderr)
        return 2
    labels = [json.loads(line) for line in labels_file.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    handler = functools.partial(_Handler, directory=str(corpus))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    name, run = _check_path()
    print(f"check path: {name}")
    try:
        results = run([base + lab["file"] for lab in labels])
    finally:
        server.shutdown()
    right = total = pages_ok = 0
    per_field = dict.fromkeys(FIELDS, 0)
    for lab, res in zip(labels, results, strict=True):
        want, got = expected_fields(lab), found_fields(res)
        wrong = [k for k in FIELDS if want[k] != got[k]]
        for k in FIELDS:
            per_field[k] += want[k] == got[k]
        right += len(FIELDS) - len(wrong)
        total += len(FIELDS)
        pages_ok += not wrong
        status = "ok  " if not wrong else "MISS"
        detail = "; ".join(f"{k}: want {want[k]!r} got {got[k]!r}" for k in wrong)
        print(f"{status} {lab['file']} {res.get('status', '?'):<14} {detail}")
        if args.verbose:
            print("     violations:", ", ".join(v["code"] for v in res.get("violations", [])))
    print("per field: " + ", ".join(f"{k} {v}/{len(labels)}" for k, v in per_field.items()))
    print(f"total: {right}/{total} fields right, {pages_ok}/{len(labels)} pages fully right")
    return 0 if right == total else 1


if __name__ == "__main__":
    sys.exit(main())
