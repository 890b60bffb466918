"""The settle wait after load (crawler/render/policy.py SETTLE_SCRIPT) in real Chromium: it ends
soon after a filing mark shows, waits for a footer injected late, and waits the whole time
without."""

from __future__ import annotations

import asyncio

import pytest

from crawler.render.browser import launch_options
from crawler.render.policy import SETTLE_SCRIPT

pytestmark = pytest.mark.browser

SETTLE_MS = 2000
ICP = "京ICP备12345678号-1"
STATIC = f'<html><body><main>内容</main><footer><a href="https://beian.miit.gov.cn/">{ICP}</a>' \
         "</footer></body></html>"
# The footer arrives 700 ms after load, as from a late fetch.
LATE = ("<html><body><main>内容</main><footer id=f></footer><script>setTimeout(() => {"
        f"document.getElementById('f').innerHTML = '<a>{ICP}</a>'}}, 700)</script></body></html>")
# The number only inside a script that never writes it: not shown, so no early end.
UNSHOWN = f"<html><body><main>内容</main><script>var icp = '{ICP}';</script></body></html>"
HIDDEN = f'<html><body><footer style="display:none">{ICP}</footer></body></html>'


def _settle(html: str) -> tuple[int, bool]:
    """Milliseconds the settle wait took, and whether the mark was on screen when it ended."""
    from playwright.async_api import async_playwright

    async def run() -> tuple[int, bool]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(**launch_options())
            try:
                page = await browser.new_page()
                await page.set_content(html, wait_until="load")
                waited = await page.evaluate(SETTLE_SCRIPT, SETTLE_MS)
                shown = "ICP备" in await page.evaluate("document.body.innerText")
                return waited, shown
            finally:
                await browser.close()

    return asyncio.run(run())


def test_a_mark_shown_at_load_ends_the_wait_early() -> None:
    waited, shown = _settle(STATIC)
    assert shown and 100 <= waited < 600


def test_a_footer_injected_late_is_waited_for() -> None:
    waited, shown = _settle(LATE)
    assert shown and 700 <= waited < 1300


@pytest.mark.parametrize("html", [UNSHOWN, HIDDEN], ids=["in-a-script", "display-none"])
def test_without_a_shown_mark_the_whole_settle_time_is_waited(html: str) -> None:
    waited, shown = _settle(html)
    assert not shown and waited >= SETTLE_MS
