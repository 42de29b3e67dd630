"""The event list of a page in the browser, read as a reader reads it: the list is virtual (page/js/45-list.js),
so only the rows in sight are in the DOM, and these helpers scroll it through to see every row."""

# Scroll the list from its first row to its last, then back where it was; the ids of its rows in order.
# Fails when a position between 1 and aria-setsize was never drawn, or the positions skip.
LISTED = """async () => {
    const list = document.getElementById('bm-list'), frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    let box = list.parentElement;
    while (box && !/auto|scroll/.test(getComputedStyle(box).overflowY)) { box = box.parentElement; }
    if (!list.getClientRects().length) { throw new Error('the list is not shown'); }
    const saved = box.scrollTop, seen = new Map(), top = () => list.getBoundingClientRect().top - box.getBoundingClientRect().top;
    let size = 0;
    box.scrollTop += top();
    await frame();
    for (let step = 0; step < 100000; step++) {
        for (const li of list.children) {
            seen.set(+li.getAttribute('aria-posinset'), li.dataset.id);
            size = +li.getAttribute('aria-setsize');
        }
        const before = box.scrollTop;
        if (seen.size >= size || top() + list.offsetHeight <= box.clientHeight) { break; }
        box.scrollTop += box.clientHeight * 0.75;
        await frame();
        if (box.scrollTop === before) { break; }
    }
    box.scrollTop = saved;
    await frame();
    const ids = [];
    for (let k = 1; k <= size; k++) {
        if (!seen.has(k)) { throw new Error('row ' + k + ' of ' + size + ' was never drawn'); }
        ids.push(seen.get(k));
    }
    if (seen.size !== size) { throw new Error('rows drawn at positions past the list: ' + [...seen.keys()]); }
    return ids; }"""

# Scroll the list until the row whose title contains the text is drawn and in sight; false if there is none.
FIND = """async (text) => {
    const list = document.getElementById('bm-list'), frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    let box = list.parentElement;
    while (box && !/auto|scroll/.test(getComputedStyle(box).overflowY)) { box = box.parentElement; }
    const top = () => list.getBoundingClientRect().top - box.getBoundingClientRect().top;
    const hit = () => [...list.querySelectorAll('.bm-pick')].find(b => b.textContent.includes(text));
    box.scrollTop += top();
    await frame();
    for (let step = 0; step < 100000 && !hit(); step++) {
        const before = box.scrollTop;
        box.scrollTop += box.clientHeight * 0.75;
        await frame();
        if (box.scrollTop === before) { break; }
    }
    if (!hit()) { return false; }
    hit().scrollIntoView({block: 'nearest'});
    await frame();
    return true; }"""


def row_button(page, text: str):
    """The list's button for the row whose title contains ``text``, scrolled into the DOM and into sight."""
    assert page.js(FIND, text), f"no row titled {text!r} in the list"
    return page.page.locator("#bm-list button.bm-pick", has_text=text)
