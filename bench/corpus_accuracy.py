"""Extraction accuracy on the real-footer corpora.

Serves each corpus directory (the arguments, else the directories listed in
`$FOOTER_AUDIT_CORPORA`, separated by `:`; the labelled corpora are not part of the repository) on
127.0.0.1 as `text/html` with no charset, runs the check on every page
(one crawl for all corpora), and compares six fields with the corpus's `labels.jsonl`: ICP
numbers, ICP link host, 公安 code, 公安 link host, 公安 badge, copyright holder. Prints one line per
page and one total per corpus.

Label conventions differ between corpora: `real` lists only ICP备 filings in `icp_numbers`,
`real2` also the licence forms (ICP证, B2) shown in the footer, as displayed (spaces, full-width
characters). A corpus whose README says so (or `--licences-in-icp`) is scored the second way;
numbers are compared after NFKC with whitespace and the separators `|`, `:` dropped, copyright
holders after NFKC without whitespace. Pages sit in the corpus directory or in its `pages/`
folder.

The check path is `crawler.launch.check.check_pages(urls, expect, render=...)` when that module
exists (`--render auto`, the default, renders in Chromium only the pages whose static HTML needs
it, as `footer-audit crawl` does; `never` reads every page statically); otherwise pages are fetched
with urllib, decoded as Scrapy does (w3lib `html_to_unicode`) and passed to
`rules.audit.audit_record`. The output says which path ran.

    python bench/corpus_accuracy.py [CORPUS_DIR ...] [--render auto|never|always]
                                    [--licences-in-icp] [--verbose]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import importlib.util
import json
import os
import re
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


CORPORA_ENV = "FOOTER_AUDIT_CORPORA"


def corpus_dirs(ap: argparse.ArgumentParser, given: list[str]) -> list[str]:
    """The corpus directories: the arguments, else $FOOTER_AUDIT_CORPORA; a usage error when
    neither names one."""
    dirs = given or [d for d in os.environ.get(CORPORA_ENV, "").split(os.pathsep) if d]
    if not dirs:
        ap.error(f"give the labelled corpus directories, or list them in ${CORPORA_ENV}")
    return dirs


def _host(url):
    if not url:
        return None
    return (urlsplit(url).hostname or "").lower() or None


def _number_key(number: str) -> str:
    from rules.normalize import compact

    return re.sub(r"[|:]", "", compact(number))


def _holder_key(holder: str | None) -> str | None:
    """Holders compare after NFKC without whitespace: labels keep letter-spacing and full-width
    brackets as displayed (`人 民 网 股 份 有 限 公 司`), the core reads the name they spell."""
    from rules.normalize import compact

    return compact(holder) if holder else holder


def expected_fields(label: dict) -> dict:
    return {
        "icp_numbers": sorted({_number_key(n) for n in label["icp_numbers"]}),
        "icp_link_host": _host(label["icp_link_href"]),
        "gongan_code": label["gongan_code"],
        "gongan_link_host": _host(label["gongan_link_href"]),
        "gongan_icon": bool(label["gongan_icon"]),
        "copyright_holder": _holder_key(label["copyright_holder"]),
    }


def found_fields(result: dict, licences_in_icp: bool = False) -> dict:
    f = result.get("findings") or {}
    shown = [m for m in f.get("icp", []) if m["in_footer"] and m["visible"] is not False]
    icp = [m for m in shown if m["kind"] != "licence"]
    numbers = {_number_key(m["number"]) for m in (shown if licences_in_icp else icp)}
    if licences_in_icp:
        numbers |= {_number_key(lic["number"]) for lic in f.get("licences", [])
                    if lic["kind"] in ("icp_licence", "b2")}
    # The label's link is the one around the first filing (or the first number when none).
    linked = next((m for m in ((icp or shown) if licences_in_icp else icp) if m.get("link")),
                  None)
    gongan = [m for m in f.get("gongan", []) if m["in_footer"]]
    g = gongan[0] if gongan else None
    holder = next((c["holder"] for c in f.get("copyright", []) if c.get("holder")), None)
    return {
        "icp_numbers": sorted(numbers),
        "icp_link_host": _host(linked["link"]) if linked else None,
        "gongan_code": g["code"] if g else None,
        "gongan_link_host": _host(g["link"]) if g else None,
        "gongan_icon": bool(g["icon"]) if g else False,
        "copyright_holder": _holder_key(holder),
    }


def _check_path(render: str = "never"):
    if importlib.util.find_spec("crawler.launch.check") is not None:
        from crawler.launch import check as check_mod

        if hasattr(check_mod, "check_pages"):
            if render != "never" and hasattr(check_mod, "choose_render"):
                render = check_mod.choose_render(render)[0]  # never without a browser

            def run(urls):
                return [r.to_json() for r in check_mod.check_pages(urls, None, render=render)]

            return f"crawler.launch.check.check_pages (render={render})", run

    def run_fallback(urls):
        from w3lib.encoding import html_to_unicode

        from rules.audit import audit_record
        from rules.model import PageInput

        out = []
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = resp.read()
                ctype = resp.headers.get("Content-Type")
            encoding, text = html_to_unicode(ctype, body)
            out.append(audit_record(PageInput(url=url, html=text, encoding=encoding)).to_json())
        return out

    return "fallback: urllib + w3lib html_to_unicode + rules.audit.audit_record", run_fallback


def _load(corpus: Path) -> tuple[list[dict], Path] | None:
    labels_file = corpus / "labels.jsonl"
    if not labels_file.is_file():
        print(f"no labels.jsonl in {corpus}", file=sys.stderr)
        return None
    labels = [json.loads(line) for line in labels_file.read_text(encoding="utf-8").splitlines()
              if line.strip()]
    pages = corpus / "pages"
    return labels, pages if pages.is_dir() else corpus


def _licences_in_icp(corpus: Path) -> bool:
    readme = corpus / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    return "`icp_numbers` lists licence-form numbers" in text


def _score(name: str, labels: list[dict], results: list[dict], licences_in_icp: bool,
           verbose: bool) -> tuple[int, int]:
    right = total = pages_ok = 0
    per_field = dict.fromkeys(FIELDS, 0)
    print(f"== {name} ({'ICP numbers with licences' if licences_in_icp else 'ICP filings'})")
    for lab, res in zip(labels, results, strict=True):
        want, got = expected_fields(lab), found_fields(res, licences_in_icp)
        wrong = [k for k in FIELDS if want[k] != got[k]]
        for k in FIELDS:
            per_field[k] += want[k] == got[k]
        right += len(FIELDS) - len(wrong)
        total += len(FIELDS)
        pages_ok += not wrong
        status = "ok  " if not wrong else "MISS"
        detail = "; ".join(f"{k}: want {want[k]!r} got {got[k]!r}" for k in wrong)
        print(f"{status} {lab['file']} {res.get('status', '?'):<14} {detail}")
        if verbose:
            print("     violations:", ", ".join(v["code"] for v in res.get("violations", [])))
    print("per field: " + ", ".join(f"{k} {v}/{len(labels)}" for k, v in per_field.items()))
    print(f"total {name}: {right}/{total} fields right, {pages_ok}/{len(labels)} pages fully right")
    return right, total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", help=f"corpus directories (default: ${CORPORA_ENV})")
    ap.add_argument("--licences-in-icp", action="store_true",
                    help="score ICP证/B2 numbers as part of icp_numbers for every corpus")
    ap.add_argument("--render", choices=("auto", "never", "always"), default="auto")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    corpora = []
    for arg in corpus_dirs(ap, args.corpus):
        loaded = _load(Path(arg))
        if loaded is None:
            return 2
        corpora.append((Path(arg), *loaded))
    servers, urls = [], []
    for _corpus, labels, pages in corpora:
        handler = functools.partial(_Handler, directory=str(pages))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        urls.extend(base + lab["file"] for lab in labels)
    name, run = _check_path(args.render)
    print(f"check path: {name}")
    try:
        results = run(urls)
    finally:
        for server in servers:
            server.shutdown()
    all_right = all_total = 0
    pos = 0
    for corpus, labels, _pages in corpora:
        chunk = results[pos:pos + len(labels)]
        pos += len(labels)
        licences = args.licences_in_icp or _licences_in_icp(corpus)
        right, total = _score(corpus.name, labels, chunk, licences, args.verbose)
        all_right += right
        all_total += total
    return 0 if all_right == all_total else 1


if __name__ == "__main__":
    sys.exit(main())
