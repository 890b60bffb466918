"""Rendering pages in Chromium: browser discovery and launch options, the render policy (when a
page is rendered), contexts and memory, page handles, the scrapy-playwright handler and the layout
probe injected into each rendered page."""
