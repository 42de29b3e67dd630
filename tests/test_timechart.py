"""Time you can see and take-aways a reader can cite, in a real headless Chromium: the events-over-time chart,
playback, the download of what is shown with its citation, the printed report, and their accessibility.

Expected bars, spans and item sets are computed here from the curated records and the page's own months.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata

import pytest

from bordermap import events, pagedata, takeaway
from bordermap.layers import CATEGORY_SYMBOLS
from bordermap.takeaway import category_label

from .conftest import needs_browser
from .listing import LISTED
from .test_conflictdata import ACLED_CURRENT, acled_row, write_csv
from .test_glance import _axe_source

pytestmark = [pytest.mark.browser, needs_browser]

BARS = """() => [...document.querySelectorAll('#bm-chart rect.bm-bar[data-bin]')].map(r =>
    [+r.dataset.bin, r.dataset.category, r.dataset.kind, +r.dataset.value])"""
SLIDERS = "[+document.querySelector('#bm-time .bm-from input').value, +document.querySelector('#bm-time .bm-to input').value]"
TTP = "Tehrik-i-Taliban Pakistan (TTP)"


@pytest.fixture(scope="module")
def records():
    return events.load_events()


def _day(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


def chart_bins(page) -> list[dict]:
    """The chart's bars (runs of the page's months: per month, or per year over long spans) as the page made them;
    what falls in each bar is computed here."""
    return page.js("() => bordermap.chart.shown")


def expected_bars(records, months) -> dict[tuple[int, str, str], float]:
    """Per (bar, category, kind): a date inside one bar counts 1 there; a longer one is shared out by days."""
    out: dict[tuple[int, str, str], float] = {}
    for r in records:
        if r.category not in CATEGORY_SYMBOLS or r.period is None:
            continue
        s, e = (d.toordinal() for d in r.period)
        for n, m in enumerate(months):
            a, z = max(s, _day(m["start"])), min(e, _day(m["end"]))
            if z < a:
                continue
            whole = s >= _day(m["start"]) and e <= _day(m["end"])
            key = (n, category_label(r.category), "exact" if whole else "spread")
            out[key] = out.get(key, 0) + (1 if whole else (z - a + 1) / (e - s + 1))
    return out


def _shown_bars(page) -> dict[tuple[int, str, str], float]:
    return {(b, c, k): v for b, c, k, v in page.js(BARS)}


def _assert_same(got: dict, wanted: dict) -> None:
    assert set(got) == set(wanted)
    for key, value in wanted.items():
        assert got[key] == pytest.approx(value), key


def _check(page, facet: str, value: str) -> None:
    page.page.locator(f'#bm-facets input[data-facet="{facet}"][value="{value}"]').check()


def test_a_filter_changes_the_bars_to_the_counts_of_its_records(open_map, maps, records):
    page = open_map(maps["default"])
    months = chart_bins(page)
    everything = expected_bars(records, months)
    assert any(k[2] == "spread" for k in everything) and any(k[2] == "exact" for k in everything)
    _assert_same(_shown_bars(page), everything)
    _check(page, "actors", TTP)
    ttp = expected_bars([r for r in records if "Tehrik-i-Taliban Pakistan" in r.actors], months)
    assert ttp and ttp != everything
    _assert_same(_shown_bars(page), ttp)
    # the bars take their colours from the page data (the legend's), one per category
    fills = page.js("() => [...document.querySelectorAll('#bm-chart rect.bm-bar[data-category]')].map(r => [r.dataset.category, r.getAttribute('fill')])")
    colours = {category_label(c): colour for c, (colour, _) in CATEGORY_SYMBOLS.items()}
    assert fills and all(colours[c] == f for c, f in fills)
    # the table alternative says the same: one row per month with events, its total
    rows = page.js("() => [...document.querySelectorAll('#bm-chart table tr')].slice(1).map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])")
    totals: dict[int, float] = {}
    for (n, _, _), v in ttp.items():
        totals[n] = totals.get(n, 0) + v
    assert [label for label, _ in rows] == [months[n]["label"] for n in sorted(totals)]
    assert [float(t) for _, t in rows] == pytest.approx([round(totals[n], 1) for n in sorted(totals)], abs=0.051)


def test_brushing_sets_the_same_span_as_the_sliders(open_map, maps, records):
    page = open_map(maps["default"])
    months = chart_bins(page)
    a, b = len(months) - 6, len(months) - 2
    page.page.locator("#bm-chart > svg").scroll_into_view_if_needed()
    box = lambda n: page.page.locator(f'#bm-chart rect.bm-hit-bin[data-bin="{n}"]').bounding_box()  # noqa: E731
    start, end = box(a), box(b)
    page.page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.page.mouse.down()
    page.page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.page.mouse.up()
    assert page.js(SLIDERS) == [months[a]["from"], months[b]["to"]]
    brushed = page.js(LISTED)
    lo, hi = months[a]["start"], months[b]["end"]
    wanted = {r.id for r in records if r.period is None or (r.period[1].isoformat() >= lo and r.period[0].isoformat() <= hi)}
    assert set(brushed) == wanted and len(wanted) < len(records)
    # the same span set with the sliders gives the same list
    page.page.locator("#bm-clear").click()
    for cls, value in (("bm-from", months[a]["from"]), ("bm-to", months[b]["to"])):
        page.page.locator(f"#bm-time .{cls} input").fill(str(value))
    assert page.js(LISTED) == brushed


def test_playback_advances_the_window_and_the_address(open_map, maps):
    page = open_map(maps["default"])
    months = pagedata.decode(maps["default"].read_text(encoding="utf-8")).months
    page.page.locator(".bm-play select").first.select_option("1")
    page.page.locator(".bm-play select").nth(1).select_option("400")
    play = page.page.locator(".bm-play-button")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    page.page.wait_for_function("() => +document.querySelector('#bm-time .bm-from input').value >= 2")
    play.click()
    assert play.get_attribute("aria-pressed") == "false"
    frm, to = page.js(SLIDERS)
    assert frm == to >= 2
    want = (f"from={months[frm]['start'][:7]}", f"to={months[to]['start'][:7]}")
    page.page.wait_for_function(f"() => location.hash.includes({want[0]!r}) && location.hash.includes({want[1]!r})",
                                timeout=5000)  # the address is written 100 ms after the last change
    address = page.js("location.hash")
    assert f"from={months[frm]['start'][:7]}" in address and f"to={months[to]['start'][:7]}" in address
    assert months[frm]["label"] in page.page.locator(".bm-play-status").inner_text()
    # by keyboard: the arrow keys step the window, Space plays and pauses
    play.focus()
    page.page.keyboard.press("ArrowRight")
    assert page.js(SLIDERS) == [frm + 1, frm + 1]
    page.page.keyboard.press("ArrowLeft")
    page.page.keyboard.press("ArrowLeft")
    assert page.js(SLIDERS) == [frm - 1, frm - 1]
    page.page.keyboard.press(" ")
    assert play.get_attribute("aria-pressed") == "true"
    page.page.keyboard.press(" ")
    assert play.get_attribute("aria-pressed") == "false"


def _download(page, label: str, tmp_path):
    with page.page.expect_download() as info:
        page.page.locator("#bm-take button", has_text=label).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_downloaded_csv_holds_the_listed_items_with_the_citation(open_map, maps, tmp_path, cli):
    page = open_map(maps["default"])
    page.page.locator("#bm-take summary").click()
    _check(page, "actors", TTP)
    listed = page.js(LISTED)
    path = _download(page, "Download CSV", tmp_path)
    assert path.suffix == ".csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == listed
    citation = rows[0]["citation"]
    title = pagedata.read(maps["default"].read_text(encoding="utf-8"))["title"]
    for part in (title, f"Group or actor: {TTP}", f"{len(listed)} of", "Natural Earth", "Public domain", "data version"):
        assert part in citation, part
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert citation.replace(f", downloaded {today}", "") == page.page.locator("#bm-cite").input_value()  # shown for copying
    # the file is in the events schema: bordermap reads it back
    checked = cli("validate", path)
    assert checked.returncode == 0, checked.stderr
    assert {r.id for r in events.load_events(path)} == set(listed)
    geo = json.loads(_download(page, "Download GeoJSON", tmp_path).read_text(encoding="utf-8"))
    assert [f["properties"]["id"] for f in geo["features"]] == listed
    assert title in geo["citation"]


def test_an_acled_page_offers_no_download_of_its_rows(open_map, tmp_path, cli):
    export = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1), acled_row(2, date="2023-04-02")])
    built = cli("build", "--events", export, "--out", tmp_path / "out", "--self-contained")
    assert built.returncode == 0, built.stderr
    html = tmp_path / "out" / "border-region.html"
    doc = pagedata.read(html.read_text(encoding="utf-8"))
    items = pagedata.decode(html.read_text(encoding="utf-8")).items
    acled = [n for n, it in enumerate(items) if not it.redistributable]
    assert len(acled) == 2 and all(takeaway.rows(doc)[n] is None for n in acled)
    page = open_map(html)
    page.page.locator("#bm-take summary").click()
    note = page.page.locator("#bm-take .bm-left")
    assert note.is_visible() and "2 of the" in note.inner_text() and "forbids redistribution" in note.inner_text()
    ids = {items[n].id for n in acled}
    rows = list(csv.DictReader(io.StringIO(_download(page, "Download CSV", tmp_path).read_text(encoding="utf-8-sig"))))
    assert rows and not ids & {r["id"] for r in rows}
    # only ACLED shown: nothing to download, and the page says why
    _check(page, "actors", "Military Forces of Pakistan")
    assert page.page.locator("#bm-take button", has_text="Download CSV").is_disabled()
    assert "2 of the 2 shown items are not in the downloads" in note.inner_text()


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_printing_gives_a_pdf_with_every_shown_item_and_its_sources(open_map, maps, tmp_path):
    from pypdf import PdfReader

    page = open_map(maps["default"])
    _check(page, "actors", TTP)
    listed = set(page.js(LISTED))
    page.page.emulate_media(media="print")
    path = tmp_path / "report.pdf"
    page.page.pdf(path=str(path), prefer_css_page_size=True)
    reader = PdfReader(path)
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    text = _flat("".join(p.extract_text() for p in reader.pages))
    items = [it for it in pagedata.decode(maps["default"].read_text(encoding="utf-8")).items if it.id in listed]
    assert len(items) == len(listed) > 1
    for it in items:
        assert _flat(it.title) in text, it.title
        for source, _ in it.popup.sources:
            assert _flat(source) in text, source
    assert _flat("How to cite") in text and _flat("Natural Earth") in text
    # Letter, when the reader picks it
    page.page.emulate_media(media="screen")
    page.page.locator("#bm-take summary").click()
    page.page.locator("#bm-take select").select_option("letter")
    page.page.emulate_media(media="print")
    page.page.pdf(path=str(path), prefer_css_page_size=True)
    width, height = (float(v) for v in PdfReader(path).pages[0].mediabox[2:])
    assert (round(width), round(height)) == (612, 792)


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_chart_playback_and_download_are_accessible_with_the_panel_open(open_map, maps, size):
    page = open_map(maps["default"], size=size, bypass_csp=True)  # axe-core is added as an inline script
    page.js("""() => { document.body.classList.remove('bm-collapsed');
        document.querySelectorAll('#bm-panel details').forEach(d => d.open = true); }""")
    page.page.add_script_tag(content=_axe_source())
    result = page.js("() => axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == []
    # the chart is described in words and as a table for a screen reader
    assert "Events per month" in page.page.locator("#bm-chart-desc").inner_text()
    assert page.page.locator("#bm-chart svg[role=img]").first.get_attribute("aria-labelledby") == "bm-chart-desc"
