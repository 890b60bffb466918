"""The trend chart: one bar per run, drawn on the server as SVG (no script, no chart library).

The template draws `Chart.bars` as `<rect>`s with classes, not style attributes, so the page's
Content-Security-Policy needs no inline styles.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "bar_chart"]

WIDTH, HEIGHT, PAD = 720, 200, 28


@dataclass(frozen=True)
class Bar:
    run_id: str
    started: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    top: int  # the largest value (the scale)
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD

    @property
    def base(self) -> int:
        return self.height - self.pad


def bar_chart(points: list[tuple[str, str, int]]) -> Chart | None:
    """(run id, start time, value) oldest first, as bars scaled to the largest value."""
    if not points:
        return None
    top = max(v for _, _, v in points) or 1
    step = (WIDTH - 2 * PAD) / len(points)
    width = max(step * 0.7, 2.0)
    span = HEIGHT - 2 * PAD
    bars = []
    for i, (run_id, started, value) in enumerate(points):
        # A run with no open violation still shows: a sliver of one pixel.
        height = max(span * value / top, 1.0)
        x = PAD + i * step + (step - width) / 2
        bars.append(Bar(run_id, started, value, round(x, 1), round(HEIGHT - PAD - height, 1),
                        round(width, 1), round(height, 1)))
    return Chart(bars, top)
