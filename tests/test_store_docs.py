"""docs/redis-layout.md lists exactly the keys that crawler/reports/store/keys.py documents
and builds."""

from __future__ import annotations

import re
from pathlib import Path

import crawler.reports.store.keys as keys_module
from crawler.reports.store.keys import Keys

DOC = Path(__file__).resolve().parent.parent / "docs" / "redis-layout.md"


TYPES = "(?:ZSET|HASH|SET|LIST|STRING)"


def _module_keys() -> set[str]:
    return set(re.findall(rf"^    (\S+)\s+{TYPES}\s", keys_module.__doc__, re.M))


def test_layout_doc_lists_the_same_keys():
    documented = set(re.findall(rf"^\| `([^`]+)` \| {TYPES} \|", DOC.read_text(), re.M))
    assert documented == _module_keys()


def test_every_documented_key_is_built_by_keys():
    k = Keys("p:")
    built = {k.runs(), k.portfolio_runs("{name}"), k.run("{run}"), k.pages("{run}"),
             k.page_meta("{run}"), k.page_order("{run}"), k.screenshots("{run}"),
             k.violations("{run}"), k.violation_order("{run}"), k.by_site("{run}", "{site}"),
             k.by_org("{run}", "{org}"),
             k.by_rule("{run}", "{code}"), k.fingerprints("{run}"), k.site_runs("{site}"),
             k.site_history("{site}"), k.site_open("{site}"), k.lifecycle(), k.waivers(),
             k.api_tokens(), k.api_token_digests(),
             k.job("{job}"), k.jobs(), k.jobs_queued(), k.jobs_running(),
             k.schedule_lock("{name}"), k.schedule_state("{name}"),
             k.run_jobs("{run}"), k.run_queue("{run}"), k.run_portfolio("{run}"),
             # The `limits` library builds the rest of the name under the prefix we give it.
             k.rate_limit() + ":LIMITER/{token}/{n}/1/{period}"}
    assert {name.removeprefix("p:") for name in built} == _module_keys()
