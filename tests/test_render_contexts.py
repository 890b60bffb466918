"""crawler/render/contexts.py: which context each page goes to, and when an old one may close.
(The same rotation with a real Chromium: tests/test_crawl_render.py.)"""

from __future__ import annotations

import pytest

from crawler.render.contexts import (
    ROTATING_PREFIX,
    SINGLE_USE_PREFIX,
    ContextRotation,
    single_use_context,
)


def _run(rotation: ContextRotation, n: int) -> list[str]:
    """n pages, each finished before the next starts."""
    names = []
    for _ in range(n):
        name = rotation.assign(None)
        assert name is not None
        names.append(name)
        rotation.finish(name)
        for old in rotation.closable():
            rotation.closed(old)
    return names


def test_pages_rotate_to_a_new_context_every_n_pages() -> None:
    rotation = ContextRotation(3)
    names = _run(rotation, 7)
    assert [n.removeprefix(ROTATING_PREFIX) for n in names] == list("1112223")
    assert rotation.opened == 3
    assert rotation.live() == 1  # the old ones were handed back for closing


def test_zero_means_one_context_for_the_whole_crawl() -> None:
    assert len(set(_run(ContextRotation(0), 50))) == 1
    with pytest.raises(ValueError):
        ContextRotation(-1)


def test_an_old_context_closes_only_when_its_last_page_is_done() -> None:
    rotation = ContextRotation(2)
    first = [rotation.assign(None), rotation.assign(None)]
    third = rotation.assign(None)  # rotates: the first context is retired
    assert third not in first
    assert rotation.closable() == []  # its two pages are still rendering
    rotation.finish(first[0])
    assert rotation.closable() == []
    rotation.finish(first[1])
    assert rotation.closable() == [first[0]]
    assert rotation.closable() == []  # handed out once


def test_never_more_than_two_rotating_contexts_open() -> None:
    rotation = ContextRotation(2)
    slow = rotation.assign(None)  # a page that takes long in the first context
    rotation.finish(rotation.assign(None))
    second = [rotation.assign(None) for _ in range(5)]  # the first is still closing
    assert len(set(second)) == 1 and slow not in second
    assert rotation.live() == 2
    rotation.finish(slow)
    [old] = rotation.closable()
    rotation.closed(old)
    assert rotation.assign(None) not in second  # now the second one retires in turn
    assert rotation.live() == 2


def test_a_retry_with_an_old_rotating_name_gets_the_current_context() -> None:
    rotation = ContextRotation(1)
    old = _run(rotation, 2)[0]
    assert rotation.assign(old) == f"{ROTATING_PREFIX}3"


def test_single_use_contexts_close_after_their_page() -> None:
    rotation = ContextRotation(100)
    name = single_use_context()
    assert name.startswith(SINGLE_USE_PREFIX) and name != single_use_context()
    assert rotation.assign(name) == name
    assert rotation.closable() == []
    rotation.finish(name)
    assert rotation.closable() == [name]


def test_contexts_named_by_someone_else_are_left_alone() -> None:
    rotation = ContextRotation(1)
    assert rotation.assign("persistent") is None
    assert rotation.live() == 0
