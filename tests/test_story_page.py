"""Stories in a real headless Chromium: every shipped story stepped through by keyboard.

At each step every record the step names must be highlighted and inside the visible map pane
(below the title), no other record highlighted, the rest dimmed but drawn, and the address must
name the step. Expected steps come from the recipe through bordermap.recipe, not from the page.
"""

from urllib.parse import parse_qs

import pytest

from bordermap import recipe

from .conftest import needs_browser

pytestmark = [pytest.mark.browser, needs_browser]

#: Per drawn part of a record: [record id, highlighted, dimmed, its box, visible] and the free map pane.
PARTS = """() => { const bm = window.bordermap, map = bm.map, pane = map.getContainer().getBoundingClientRect();
    const title = document.querySelector('.bm-title').getBoundingClientRect();
    const out = [];
    bm.emphasis.all().forEach(([rid, kind, layer]) => {
        if (!map.hasLayer(layer)) return;
        const el = kind === 'marker' ? layer.getElement() : layer.getElement();
        if (!el) return;
        const r = el.getBoundingClientRect();
        out.push([rid, el.classList.contains('bm-hl'), el.classList.contains('bm-dim'), [r.left, r.top, r.right, r.bottom]]);
    });
    return {parts: out, pane: [pane.left, Math.max(pane.top, title.bottom), pane.right, pane.bottom]}; }"""
SETTLED = "() => window.bordermap.started && document.body.classList.contains('bm-in-story') " \
          "&& window.bordermap.story.settled()"


def _stories():
    return recipe.find("border-region").stories


def _expect_step(page, step, story_id: str, number: int) -> None:
    page.page.wait_for_function(SETTLED)
    # the address is written 100 ms after the last move: wait for it to name this step
    page.page.wait_for_function("(n) => new URLSearchParams(location.hash.slice(1)).get('step') === String(n)",
                                arg=number)
    state = page.js(PARTS)
    want = set(step.records) | set(step.arrows)
    lit = {p[0] for p in state["parts"] if p[1]}
    assert lit == want, (step.title, lit ^ want)
    assert all(p[2] for p in state["parts"] if p[0] not in want), step.title  # the rest dimmed, still drawn
    left, top, right, bottom = state["pane"]
    for rid, hl, _, (x0, y0, x1, y1) in state["parts"]:
        if hl:
            assert x0 >= left - 1 and y0 >= top - 1 and x1 <= right + 1 and y1 <= bottom + 1, \
                (step.title, rid, [x0, y0, x1, y1], state["pane"])
    query = parse_qs(page.js("location.hash").lstrip("#"))
    assert query["story"] == [story_id] and query["step"] == [str(number)], query
    assert page.js("document.getElementById('bm-story-title').textContent") == step.title
    assert page.js("document.activeElement.id") == "bm-story-title"
    assert step.title in page.js("document.getElementById('bm-story-live').textContent")


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_every_story_steps_by_keyboard_with_its_records_highlighted_and_in_view(open_map, default_map, size):
    stories = _stories()
    assert len(stories) == 2
    page = open_map(default_map, size=size)
    for story in stories:
        if page.js("document.body.classList.contains('bm-collapsed')"):
            page.page.locator("#bm-toggle").click()  # a phone opens with the sheet closed: the reader taps its bar
        page.page.locator(f'.bm-story-start[data-story="{story.id}"]').click()
        for n, step in enumerate(story.steps, 1):
            if n > 1:
                page.page.keyboard.press("ArrowRight")
            _expect_step(page, step, story.id, n)
        page.page.keyboard.press("ArrowRight")  # past the last step nothing changes
        _expect_step(page, story.steps[-1], story.id, len(story.steps))
        page.page.keyboard.press("ArrowLeft")
        _expect_step(page, story.steps[-2], story.id, len(story.steps) - 1)
        page.page.locator(".bm-story-leave").click()
    assert not page.errors


def test_a_link_to_a_step_opens_that_step(open_map, default_map):
    story = _stories()[1]
    page = open_map(default_map, hash=f"#story={story.id}&step=9")
    _expect_step(page, story.steps[8], story.id, 9)
    sources = page.js("document.querySelector('.bm-story-sources').textContent")
    for rid in story.steps[8].records + story.steps[8].arrows:
        title = page.js(f"window.bordermap.data().items.find(i => i.id === {rid!r}).title")
        assert title in sources
    assert not page.errors


LAYERS_ON = """() => { const bm = window.bordermap, on = [];
    [bm.layers, bm.shapes].forEach(set => Object.keys(set).forEach(n => bm.map.hasLayer(set[n].group) && on.push(n)));
    return on.sort(); }"""
ATTACK = '#bm-facets input[data-facet="category"][value="Attack"]'


def test_leaving_a_story_gives_back_the_readers_filters_and_layers(open_map, default_map):
    page = open_map(default_map, hash="#category=Attack")
    assert page.page.locator(ATTACK).is_checked()
    before = page.js(LAYERS_ON)
    page.page.locator(f'.bm-story-start[data-story="{_stories()[1].id}"]').click()
    page.page.wait_for_function(SETTLED)
    assert not page.page.locator(ATTACK).is_checked()  # the story shows its records, whatever was filtered
    page.page.locator(".bm-story-next").click()
    page.page.wait_for_function(SETTLED)
    assert "Movement (claimed, region to region)" in set(page.js(LAYERS_ON)) - set(before)  # the arrows' layer
    page.page.locator(".bm-story-leave").click()
    assert page.page.locator(ATTACK).is_checked()
    assert page.js(LAYERS_ON) == before
    assert page.js("document.querySelectorAll('.bm-hl, .bm-dim').length") == 0
    # the address is written 100 ms after the last change (60-hash.js), so wait for it rather than race it
    page.page.wait_for_function("() => !location.hash.includes('story=')", timeout=5000)
    assert page.page.locator(ATTACK).is_checked()
    assert not page.errors


def test_with_reduced_motion_the_map_jumps_to_the_step(browser, default_map):
    page = browser.new_page(viewport={"width": 1440, "height": 900}, reduced_motion="reduce")
    try:
        page.goto(default_map.as_uri())
        page.wait_for_function("() => window.bordermap && window.bordermap.started")
        story = _stories()[0]
        page.locator(f'.bm-story-start[data-story="{story.id}"]').click()
        # no animation: the move is over as soon as the step is shown, at the step's frame
        state = page.evaluate("""() => { const bm = window.bordermap, s = bm.data().stories[0].steps[0];
            const b = bm.map.getBounds(), f = s.fit;
            return [bm.story.settled(), b.contains([f[0], f[1]]), bm.map.getZoom() <= s.maxZoom]; }""")
        assert state == [True, True, True]
    finally:
        page.close()
