"""Scrapy extensions of the crawl, wired in `crawler/settings.py`."""
