"""The panel's virtual event list (page/js/45-list.js) on the default map in a real headless Chromium: only the
rows in sight are in the DOM, yet the list is every filtered item in date order, and a row opens its item by
mouse and by keyboard. Expected answers come from the page's own document through pagedata.decode.
The same list at 100,000 events is tested in tests/test_scale.py."""

import pytest

from bordermap import pagedata

from .conftest import needs_browser
from .listing import LISTED, row_button

pytestmark = [pytest.mark.browser, needs_browser]

POPUP = "(document.querySelector('.leaflet-popup-content') || {innerText: ''}).innerText"
DRAWN = "[...document.querySelectorAll('#bm-list li')].map(li => [+li.getAttribute('aria-posinset'), +li.getAttribute('aria-setsize'), li.dataset.id])"
FOCUSED = "(() => { const li = document.activeElement.closest('#bm-list li'); return li ? [+li.getAttribute('aria-posinset'), li.dataset.id] : null; })()"


@pytest.fixture(scope="module")
def items(maps):
    return pagedata.decode(maps["default"].read_text(encoding="utf-8")).items


def _in_date_order(items):
    """The list's order, from the page's rule: by start day (undated last), then title, then place in the document."""
    return [it.id for _, it in sorted(enumerate(items), key=lambda p: (p[1].start or "9999", p[1].title, p[0]))]


def test_the_list_is_every_filtered_item_in_date_order_with_only_some_rows_drawn(open_map, maps, items):
    page = open_map(maps["default"], size=(1440, 900))
    ordered = _in_date_order(items)
    drawn = page.js(DRAWN)
    assert 0 < len(drawn) < len(items)  # virtual: not every row is in the DOM
    assert [d[0] for d in drawn] == list(range(drawn[0][0], drawn[0][0] + len(drawn)))  # one run of positions
    assert all(size == len(items) and ordered[pos - 1] == rid for pos, size, rid in drawn)
    assert page.js(LISTED) == ordered
    assert page.page.locator("#bm-count").inner_text() == str(len(items))
    assert page.page.locator("#bm-more").count() == 0
    # a facet: the list, its count and its positions follow
    actor = "Tehrik-i-Taliban Pakistan (TTP)"
    page.page.locator(f'#bm-facets input[data-facet="actors"][value="{actor}"]').check()
    wanted = [rid for rid in ordered if actor in next(it for it in items if it.id == rid).actors]
    assert 1 < len(wanted) < len(items)
    assert page.js(LISTED) == wanted
    assert page.page.locator("#bm-count").inner_text() == f"{len(wanted)} of {len(items)}"
    assert {size for _, size, _ in page.js(DRAWN)} == {len(wanted)}
    assert page.errors == []


def test_scrolled_to_its_end_the_list_shows_its_last_row_and_keeps_its_height(open_map, maps, items):
    page = open_map(maps["default"], size=(1440, 900))
    ordered = _in_date_order(items)
    page.js(LISTED)  # every row drawn once: every height is measured
    height = page.js("document.getElementById('bm-list').getBoundingClientRect().height")
    rows = page.js("[...document.querySelectorAll('#bm-list li')].reduce((h, li) => h + li.getBoundingClientRect().height, 0)")
    page.do("document.getElementById('bm-body').scrollTop = 1e9")
    page.page.wait_for_timeout(300)
    last = page.js(DRAWN)[-1]
    assert last[0] == len(items) and last[2] == ordered[-1]
    assert page.js("""(() => { const li = document.querySelector('#bm-list li:last-child').getBoundingClientRect(),
        box = document.getElementById('bm-body').getBoundingClientRect(); return li.top >= box.top && li.bottom <= box.bottom; })()""")
    # the padding stands for the rows out of the DOM, at their measured heights: the list is as tall as every row
    page.do("document.getElementById('bm-body').scrollTop = 0")
    page.page.wait_for_timeout(300)
    assert abs(page.js("document.getElementById('bm-list').getBoundingClientRect().height") - height) < 1
    assert rows < height  # (not every row was in the DOM when it was measured)


def test_a_row_opens_its_item_by_click_and_the_keyboard_walks_the_whole_list(open_map, maps, items):
    page = open_map(maps["default"], size=(1440, 900))
    ordered = _in_date_order(items)
    chosen = next(it for it in items if it.id == ordered[len(ordered) // 2])
    row_button(page, chosen.title).click()
    page.page.wait_for_function(f"() => {POPUP}.startsWith({chosen.title!r})", timeout=10000)
    page.page.wait_for_function(f"() => location.hash.includes('item={chosen.id}')", timeout=10000)
    assert page.js("[...document.querySelectorAll('#bm-list li.bm-selected')].map(li => li.dataset.id)") == [chosen.id]
    # the arrows go row by row, End and Home to either end, drawing the rows they reach
    page.page.locator("#bm-list li.bm-selected button").focus()
    start = ordered.index(chosen.id) + 1
    assert page.js(FOCUSED) == [start, chosen.id]
    for n in range(1, 4):
        page.page.keyboard.press("ArrowDown")
        assert page.js(FOCUSED) == [start + n, ordered[start + n - 1]]
    page.page.keyboard.press("End")
    assert page.js(FOCUSED) == [len(ordered), ordered[-1]]
    page.page.keyboard.press("ArrowUp")
    assert page.js(FOCUSED) == [len(ordered) - 1, ordered[-2]]
    page.page.keyboard.press("Home")
    assert page.js(FOCUSED) == [1, ordered[0]]
    # Tab goes on from row to row past the rows first drawn, and Enter opens the row it reached
    for n in range(2, len(ordered) + 1):
        page.page.keyboard.press("Tab")
        assert page.js(FOCUSED) == [n, ordered[n - 1]], n
    assert page.js("document.querySelectorAll('#bm-list li').length") < len(ordered)
    page.page.keyboard.press("Enter")
    last = next(it for it in items if it.id == ordered[-1])
    page.page.wait_for_function(f"() => location.hash.includes('item={last.id}')", timeout=10000)
    assert page.js("document.querySelector('#bm-list li.bm-selected').dataset.id") == last.id
    assert page.js(FOCUSED) == [len(ordered), last.id]  # the focus stays on the row
    assert page.errors == []


def test_the_phone_sheet_lists_and_opens_rows(open_map, maps, items):
    page = open_map(maps["default"], size=(390, 844))
    page.page.locator("#bm-toggle").click()
    ordered = _in_date_order(items)
    assert page.js(LISTED) == ordered
    drawn = page.js(DRAWN)
    assert len(drawn) < len(items)
    chosen = next(it for it in items if it.id == ordered[-1])
    row_button(page, chosen.title).click()
    page.page.wait_for_function(f"() => location.hash.includes('item={chosen.id}')", timeout=10000)
    assert page.js("document.documentElement.scrollWidth") <= 390
    assert page.errors == []


def test_the_printed_report_lists_every_shown_item_not_only_the_rows_drawn(open_map, maps, items):
    page = open_map(maps["default"], size=(1440, 900))
    drawn = len(page.js(DRAWN))
    page.page.emulate_media(media="print")
    page.page.wait_for_function("() => document.querySelectorAll('#bm-print .bm-print-list > li').length > 0")
    printed = page.js("[...document.querySelectorAll('#bm-print .bm-print-list > li > b')].map(b => b.textContent)")
    order = {rid: n for n, rid in enumerate(_in_date_order(items))}
    assert drawn < len(items)
    assert printed == [it.title for it in sorted(items, key=lambda it: order[it.id])]
