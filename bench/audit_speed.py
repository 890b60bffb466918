"""Audit-core speed and memory: extraction plus every rule, on one core.

Times `rules.audit.audit_page` on every corpus page (the directories given, else
`$FOOTER_AUDIT_CORPORA`, decoded as Scrapy would) and on a generated 5 MB page, and prints the
median and p95 per page, where the 5 MB page's time goes (parse, locating and reading the marks,
the rules), then the peak memory of one large audit (tracemalloc) and the resident set size
before and after many audits (memory should stay flat). Goals: median < 5 ms per typical page,
< 300 ms for 5 MB. Wall times grow with the machine's load; CPU times are printed beside them.

    python bench/audit_speed.py [CORPUS_DIR ...] [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
from w3lib.encoding import html_to_unicode  # noqa: E402

from bench.corpus_accuracy import corpus_dirs  # noqa: E402
from rules.audit import audit_page  # noqa: E402
from rules.dom import parse_page  # noqa: E402
from rules.extract import extract  # noqa: E402
from rules.model import PageInput  # noqa: E402


def big_page(size: int = 5_000_000) -> str:
    """A long portal page: nav, many news blocks with links and scripts, a sidebar, a footer."""
    block = ('<div class="news-item"><h3><a href="/news/{i}.html">第{i}条新闻标题：某某单位召开'
             '会议</a></h3><p>发布时间 2024-05-{d:02d} 浏览 {i} 次。这里是一段摘要文字，'
             '介绍会议内容与成果，'
             '并附有<a href="/more/{i}">详细报道</a>与<span class="tag">标签</span>。</p>'
             '<script>var stat{i} = {{id: {i}, ref: "list"}};</script></div>\n')
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"><title>门户</title></head><body>',
             '<div class="header"><ul class="nav">' + "".join(
                 f'<li><a href="/c{i}">栏目{i}</a></li>' for i in range(40)) + "</ul></div>",
             '<div class="main">']
    size_now = sum(len(p) for p in parts)
    i = 0
    while size_now < size - 3000:
        chunk = block.format(i=i, d=i % 28 + 1)
        parts.append(chunk)
        size_now += len(chunk)
        i += 1
    parts.append('</div><div class="sidebar"><ul><li>辽ICP备05025012号-1</li></ul></div>'
                 '<div class="footer"><p>© 2010-2026 某某单位 版权所有</p><p><a href="https://'
                 'beian.miit.gov.cn/">京ICP备12345678号-1</a> <img src="/ga.png"><a href="https'
                 '://beian.mps.gov.cn/#/query/webSearch?code=11010502030143">京公网安备'
                 '11010502030143号</a></p></div></body></html>')
    return "".join(parts)


def timed(page: PageInput, rounds: int, clock=time.perf_counter) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = clock()
        audit_page(page)
        out.append((clock() - t0) * 1000)
    return out


def _cpu(fn, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        out.append((time.process_time() - t0) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    return psutil.Process().memory_info().rss / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="*", help="corpus directories (default: $FOOTER_AUDIT_CORPORA)")
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(figures scale with it)")
    pages = []
    for corpus in map(Path, corpus_dirs(ap, args.corpus)):
        folder = corpus / "pages" if (corpus / "pages").is_dir() else corpus
        for path in sorted(folder.glob("*.html")):
            _enc, text = html_to_unicode("text/html", path.read_bytes())
            pages.append(PageInput(url=f"http://127.0.0.1/{path.name}", html=text))
    if not pages:
        print(f"no pages in {', '.join(args.corpus)}", file=sys.stderr)
        return 2
    for page in pages:  # warm caches and imports
        audit_page(page)
    per_page = [statistics.median(timed(page, args.rounds)) for page in pages]
    all_runs = [t for page in pages for t in timed(page, max(3, args.rounds // 4))]
    print(f"corpus: {len(pages)} pages, {sum(len(p.html) for p in pages) / len(pages) / 1024:.1f} "
          f"KiB average")
    cpu_runs = [t for page in pages for t in timed(page, 3, time.process_time)]
    print(f"  per page CPU median {statistics.median(cpu_runs):.2f} ms")
    print(f"  per page median {statistics.median(all_runs):.2f} ms, "
          f"p95 {pct(all_runs, 95):.2f} ms, "
          f"slowest page (median of {args.rounds}) {max(per_page):.2f} ms")

    big = PageInput(url="http://127.0.0.1/big.html", html=big_page())
    runs = timed(big, 5)
    cpu = timed(big, 5, time.process_time)  # CPU time: what a busy machine's wall time hides
    print(f"5 MB page ({len(big.html) / 1e6:.1f} M chars): median {statistics.median(runs):.0f} ms,"
          f" p95 {pct(runs, 95):.0f} ms wall; median {statistics.median(cpu):.0f} ms CPU")
    # Fastest of a few runs each: differences of noisy medians can come out negative.
    parse = min(_cpu(lambda: parse_page(big.html), 5))
    ext = min(_cpu(lambda: extract(big), 5))
    full = min(_cpu(lambda: audit_page(big), 5))
    print(f"  where the CPU time goes (fastest runs): parse {parse:.0f} ms, locating and reading "
          f"the marks {ext - parse:.0f} ms, rules and freeing the tree {full - ext:.0f} ms, "
          f"total {full:.0f} ms")

    gc.collect()
    rss0 = rss_mib()
    audit_page(big)
    print(f"RSS after one 5 MB audit {rss_mib():.0f} MiB (from {rss0:.0f}; lxml's tree is "
          f"outside tracemalloc)")
    tracemalloc.start()
    audit_page(big)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory for one 5 MB audit: {peak / 2**20:.0f} MiB")

    gc.collect()
    before = rss_mib()
    for _ in range(3):
        audit_page(big)
    for _ in range(20):
        for page in pages:
            audit_page(page)
    gc.collect()
    after = rss_mib()
    print(f"RSS before {before:.0f} MiB, after 3 large + {20 * len(pages)} corpus audits "
          f"{after:.0f} MiB (growth {after - before:+.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
