"""Downloader middlewares of footer-audit, wired by dotted path in `crawler/settings.py`."""
