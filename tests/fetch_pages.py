"""Fetch pages through the fetch path, without the audit, and print them as JSON.

``python -m tests.fetch_pages --render MODE [--timeout S] [--settings JSON] URL...`` prints
``{"pages": {requested_url: FetchedPage fields}, "stats": {...}}``: the transport as the crawler
sees it (status, encoding, redirects, rendered HTML with the layout probe's attributes).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess

from crawler.launch.check import parse_target
from crawler.launch.crawl_settings import crawl_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--render", default="never")
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--settings", default="{}")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args()

    settings = crawl_settings(render=args.render, timeout=args.timeout, log_level="WARNING",
                              one_shot=True)
    settings.setdict({"ITEM_PIPELINES": {}, **json.loads(args.settings)}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("check")
    items: list[Any] = []
    crawler.signals.connect(lambda item, **_: items.append(item), signal=signals.item_scraped,
                            weak=False)
    process.crawl(crawler, targets=[parse_target(u) for u in args.urls], render=args.render)
    process.start()

    pages = {}
    for item in items:
        data = asdict(item)
        data.pop("expectations", None)
        pages[item.url] = data
    stats = {k: v for k, v in crawler.stats.get_stats().items()
             if isinstance(v, (int, float, str))}
    print(json.dumps({"pages": pages, "stats": stats}, ensure_ascii=False))


if __name__ == "__main__":
    main()
