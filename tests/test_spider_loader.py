"""crawler/spider_loader.py: a crawl imports only its own spider's module; `list` sees all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A fresh interpreter: this test process has imported every spider module already.
SCRIPT = """
import json, sys, warnings
warnings.simplefilter("error")  # a duplicate-name warning fails the test
from scrapy.settings import Settings
from scrapy.spiderloader import get_spider_loader
settings = Settings()
settings.setmodule("crawler.settings")
loader = get_spider_loader(settings)
check = loader.load("check")
lazy = "spiders.portfolio" not in sys.modules
try:
    loader.load("no-such-spider")
    missing = None
except KeyError as exc:
    missing = str(exc)
print(json.dumps({"check": check.__module__, "lazy": lazy, "names": sorted(loader.list()),
                  "portfolio": loader.load("portfolio").__module__, "missing": missing}))
"""


@pytest.mark.slow
def test_named_spider_is_loaded_alone_and_all_are_listed() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["check"] == "spiders.check"
    assert out["lazy"] is True
    assert {"check", "portfolio"} <= set(out["names"])
    assert not [n for n in out["names"] if n.startswith("_")]  # the base spider is no spider
    assert out["portfolio"] == "spiders.portfolio"
    assert "no-such-spider" in out["missing"]
