"""ACLED and UCDP GED exports read as published, and aggregates that invent no precision.

The files are written here in the publishers' exact column layouts (no real rows are needed).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from bordermap import aggregate, conflictdata, events, sources
from bordermap.recipe import AggregateSpec

# The publishers' layouts: ACLED's current export (31 columns), its older one, and UCDP GED (49 columns).
ACLED_CURRENT = ("event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1 "
                 "assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region "
                 "country admin1 admin2 admin3 location latitude longitude geo_precision source source_scale "
                 "notes fatalities tags timestamp").split()
ACLED_OLD = ("data_id iso event_id_cnty event_id_no_cnty event_date year time_precision event_type sub_event_type "
             "actor1 assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction region country admin1 admin2 "
             "admin3 location latitude longitude geo_precision source source_scale notes fatalities timestamp "
             "iso3").split()
UCDP_GED = ("id relid year active_year code_status type_of_violence conflict_dset_id conflict_new_id conflict_name "
            "dyad_dset_id dyad_new_id dyad_name side_a_dset_id side_a_new_id side_a side_b_dset_id side_b_new_id "
            "side_b number_of_sources source_article source_office source_date source_headline source_original "
            "where_prec where_coordinates where_description adm_1 adm_2 latitude longitude geom_wkt priogrid_gid "
            "country country_id region event_clarity date_prec date_start date_end deaths_a deaths_b "
            "deaths_civilians deaths_unknown best high low gwnoa gwnob").split()


def write_csv(path: Path, columns, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in columns})
    os.utime(path, (1_700_000_000, 1_700_000_000))  # accessed 2023-11-14 unless told
    return path


def acled_row(n, *, time=1, geo=1, admin1="Balochistan", admin2="Quetta", lon=67.0, lat=30.18, fatalities=2,
              inter1="State forces", inter2="Rebel group", date="2023-03-15", country="Pakistan", actor2="BLA"):
    return {"event_id_cnty": f"PAK{n}", "event_date": date, "year": date[:4], "time_precision": time,
            "event_type": "Battles", "sub_event_type": "Armed clash", "actor1": "Military Forces of Pakistan",
            "inter1": inter1, "actor2": actor2, "inter2": inter2, "country": country, "admin1": admin1,
            "admin2": admin2, "location": "Quetta", "latitude": lat, "longitude": lon, "geo_precision": geo,
            "source": "Dawn; Geo News", "notes": f"Note {n}", "fatalities": fatalities, "timestamp": 1680000000}


def ucdp_row(n, *, where=1, date=1, start="2022-05-03", end="2022-05-03", adm1="Balochistan province",
             adm2="Kech district", best=4, low=3, high=9, lon=63.05, lat=26.0):
    return {"id": n, "relid": f"PAK-2022-1-{n}", "type_of_violence": 1, "dyad_name": "Government of Pakistan - BLA",
            "side_a": "Government of Pakistan", "side_b": "BLA", "where_prec": where, "where_coordinates": "Turbat",
            "where_description": "Turbat town", "adm_1": adm1, "adm_2": adm2, "latitude": lat, "longitude": lon,
            "country": "Pakistan", "date_prec": date, "date_start": start, "date_end": end, "best": best,
            "low": low, "high": high, "deaths_a": 1, "deaths_b": 3, "source_office": "Dawn;BBC"}


def by_id(imported):
    return {r.id: r for r in imported.records}


def test_acled_current_layout_each_precision(tmp_path):
    rows = [acled_row(1), acled_row(2, time=2, geo=2), acled_row(3, time=3, geo=3, admin1="Khyber Pakhtunkhwa",
                                                                    admin2="Bajaur")]
    imp = conflictdata.load(write_csv(tmp_path / "acled.csv", ACLED_CURRENT, rows))
    r = by_id(imp)
    assert imp.dataset == "acled" and len(r) == 3
    day, week, month = r["acled-pak1"], r["acled-pak2"], r["acled-pak3"]
    assert (day.date, day.date_precision, day.location_precision) == ("2023-03-15", "day", "town")
    assert (week.date, week.date_precision, week.location_precision) == ("2023-03-12/2023-03-18", "range", "near")
    assert week.period[1].toordinal() - week.period[0].toordinal() == 6
    # geo_precision 3: the unit, never a point at the capital
    assert (month.date, month.date_precision, month.location_precision) == ("2023-03", "month", "province")
    assert month.lon is None and month.units == ("PK-KP",)
    assert day.fatalities.best == 2 and "most conservative" in day.fatalities.text()
    assert day.summary.startswith("ACLED's notes: Note 1")
    assert [s.author for s in day.sources] == ["Dawn", "Geo News"]
    assert day.sources[0].work == "ACLED event PAK1, accessed 2023-11-14"
    assert not day.redistributable and "accessed 2023-11-14" in day.dataset
    assert "2023-03-15 to 2023-03-15" in day.dataset  # the export's own event_date values, not the week's start


def test_acled_old_layout_with_numeric_inter_codes_and_written_dates(tmp_path):
    row = {**acled_row(7, inter1="1", inter2="2", date="15 March 2023"), "data_id": 99, "event_id_no_cnty": 7,
           "iso3": "PAK"}
    r = by_id(conflictdata.load(write_csv(tmp_path / "old.csv", ACLED_OLD, [row])))["acled-pak7"]
    assert r.date == "2023-03-15"
    assert "State forces–Rebel group" in r.summary


def test_acled_monadic_export_is_deduplicated(tmp_path):
    a = acled_row(5, actor2="")
    b = {**acled_row(5, actor2=""), "actor1": "BLA", "inter1": "Rebel group"}
    imp = conflictdata.load(write_csv(tmp_path / "monadic.csv", ACLED_CURRENT, [a, b, acled_row(6)]))
    assert len(imp.records) == 2
    merged = by_id(imp)["acled-pak5"]
    assert set(merged.actors) >= {"Military Forces of Pakistan", events.load_actors().canonical("BLA")}
    assert merged.fatalities.best == 2  # counted once, not summed over the actor rows
    assert any("monadic" in n and "3 rows for 2 events" in n for n in imp.notes)


def test_unusable_rows_are_counted_in_notes_never_dropped_silently(tmp_path):
    rows = [acled_row(1), acled_row(2, geo=3, admin1="Atlantis"), acled_row(3, country="India"),
            acled_row(4, admin1="Nowhere")]  # a point with an unknown admin1 keeps the province of its point
    imp = conflictdata.load(write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows))
    assert set(by_id(imp)) == {"acled-pak1", "acled-pak4"}
    assert by_id(imp)["acled-pak4"].admin1 == "PK-BA"
    assert imp.skipped == 2
    text = "\n".join(imp.notes)
    assert "PAK2 (Atlantis)" in text and "PAK3" in text and "PAK4 (Nowhere)" in text


@pytest.mark.parametrize("name, code", [("Baluchistan", "PK-BA"), ("Sistan and Baluchestan", "IR-13"),
                                        ("Sistan va Baluchestan", "IR-13"), ("Hilmand", "AF-HEL"),
                                        ("Nimroz", "AF-NIM"), ("Paktya province", "AF-PKA")])
def test_admin_names_match_embedded_units_through_aliases(name, code):
    admin1 = sources.read_embedded("admin1.geojson")
    names = conflictdata.AdminNames(admin1, conflictdata.load_aliases())
    country = admin1.set_index("code").loc[code, "adm0_a3"]
    assert names.code(country, name) == code
    assert names.code(country, "Atlantis") is None


def test_ucdp_ged_precisions_and_ranges(tmp_path):
    rows = [ucdp_row(1), ucdp_row(2, where=2, date=2, end="2022-05-07"), ucdp_row(3, where=3),
            ucdp_row(4, where=4, date=4, start="2022-05-01", end="2022-05-31"), ucdp_row(5, where=6),
            ucdp_row(6, where=7), ucdp_row(7, where=5, date=5, start="2022-01-01", end="2022-12-31")]
    path = write_csv(tmp_path / "GEDEvent_v24_1.csv", UCDP_GED, rows)
    imp = conflictdata.load(path)
    r = by_id(imp)
    assert set(r) == {"ucdp-1", "ucdp-2", "ucdp-3", "ucdp-4", "ucdp-7"} and imp.skipped == 2
    assert r["ucdp-1"].location_precision == "town" and r["ucdp-1"].lon == 63.05
    assert (r["ucdp-2"].date, r["ucdp-2"].location_precision) == ("2022-05-03/2022-05-07", "near")
    # ADM2: the district when embedded, never its centroid as a point
    assert r["ucdp-3"].lon is None and r["ucdp-3"].units == ("PK-BA:kech",)
    assert (r["ucdp-4"].date, r["ucdp-4"].location_precision, r["ucdp-4"].units) == ("2022-05", "province", ("PK-BA",))
    assert (r["ucdp-7"].date, r["ucdp-7"].location_precision) == ("2022", "region")
    f = r["ucdp-1"].fatalities
    assert (f.best, f.low, f.high) == (4, 3, 9) and "range 3–9" in f.text()
    assert "version 24.1" in imp.citation and "CC BY 4.0" in imp.citation
    assert r["ucdp-1"].redistributable
    assert any("where_prec 6" in n for n in imp.notes) and any("where_prec 7" in n for n in imp.notes)


def test_ucdp_candidate_is_named_as_such(tmp_path):
    imp = conflictdata.load(write_csv(tmp_path / "GEDEvent_v25_0_9.csv", UCDP_GED, [ucdp_row(1)]))
    assert "UCDP Candidate Events Dataset version 25.0.9" in imp.citation


def test_import_output_is_read_back_by_the_events_loader(tmp_path, cli):
    src = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1), acled_row(2, geo=3, time=3)])
    out = tmp_path / "events.geojson"
    result = cli("import", "acled", src, "--out", out, "--accessed", "2024-01-02")
    assert result.returncode == 0, result.stderr
    again = {r.id: r for r in events.load_events(out)}
    direct = by_id(conflictdata.load(src, accessed="2024-01-02"))
    assert again == direct
    assert cli("validate", out).returncode == 0
    wrong = cli("import", "ucdp", src, "--out", out)
    assert wrong.returncode == 2 and "looks like a ACLED export" in wrong.stderr


def test_validate_reads_an_export_as_published(tmp_path, cli):
    src = write_csv(tmp_path / "GEDEvent_v24_1.csv", UCDP_GED, [ucdp_row(1), ucdp_row(2, where=6)])
    result = cli("validate", src)
    assert result.returncode == 0
    assert "UCDP export, 1 events records from 2 rows (1 rows not used)" in result.stdout
    assert "where_prec 6" in result.stderr


# --- aggregation ------------------------------------------------------------------------------------

def _admin1():
    return sources.load_boundaries().admin1


def test_province_counts_and_fatality_sums_follow_the_rows(tmp_path):
    rows = [acled_row(1, fatalities=1), acled_row(2, geo=2, fatalities=4),
            acled_row(3, geo=3, admin1="Khyber Pakhtunkhwa", fatalities=7),
            acled_row(4, lon=69.2, lat=34.5, admin1="Kabul", country="Afghanistan", fatalities=0)]
    recs = conflictdata.load(write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows)).records
    res = aggregate.aggregate(list(recs), AggregateSpec(level="province"), _admin1())
    got = {u: (c, b) for u, c, b in zip(res.units["unit"], res.units["count"], res.units["best"])}
    expected: dict = {}
    for row, r in zip(rows, recs):
        code = r.admin1 or r.units[0]
        c, b = expected.get(code, (0, 0))
        expected[code] = (c + 1, b + row["fatalities"])
    assert got == expected
    assert res.unplaced == {}


def test_a_province_only_event_is_in_no_hexagon_and_the_layer_says_so(tmp_path):
    rows = [acled_row(1), acled_row(2, lon=67.01, lat=30.19), acled_row(3, geo=3), acled_row(4, geo=2)]
    recs = list(conflictdata.load(write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows)).records)
    res = aggregate.aggregate(recs, AggregateSpec(level="hexagon", hex_km=25), _admin1())
    placed = sorted(recs[i].id for m in res.members for i in m)
    assert placed == ["acled-pak1", "acled-pak2"]  # the town points only
    assert int(res.units["count"].sum()) == 2
    assert res.notes() == ("1 event located only near a place (within about 25 km) is not in the hexagons",
                           "1 event known only to the province is not in the hexagons")
    # every placed point lies in the hexagon it was counted in
    import shapely
    for geom, members in zip(res.units.geometry, res.members):
        assert all(geom.contains(shapely.Point(recs[i].lon, recs[i].lat)) for i in members)


def test_district_aggregate_places_points_by_shape_and_leaves_province_events_out(tmp_path):
    import geopandas as gpd
    fixture = gpd.read_file(Path(__file__).parent / "data" / "geoboundaries" / "PAK_ADM2.geojson")
    districts = gpd.GeoDataFrame({"unit": fixture["shapeID"], "name": fixture["shapeName"]},
                                 geometry=fixture.geometry, crs=4326)
    inside = districts.geometry.iloc[0].representative_point()
    rows = [acled_row(1, lon=inside.x, lat=inside.y), acled_row(2, geo=3)]
    recs = list(conflictdata.load(write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows)).records)
    res = aggregate.aggregate(recs, AggregateSpec(level="district"), _admin1(), districts)
    assert list(res.units["unit"]) == [districts["unit"].iloc[0]] and list(res.units["count"]) == [1]
    assert res.unplaced == {"province": 1}


def test_the_analysts_breaks_classify_units(tmp_path):
    rows = [acled_row(n) for n in range(5)] + [acled_row(9, lon=69.2, lat=34.5, admin1="Kabul",
                                                         country="Afghanistan")]
    recs = list(conflictdata.load(write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows)).records)
    res = aggregate.aggregate(recs, AggregateSpec(level="province", scheme="breaks", breaks=(2,)), _admin1())
    classes = dict(zip(res.units["unit"], res.units["class"]))
    assert classes == {"AF-KAB": 0, "PK-BA": 1} and res.breaks == (2.0, 5.0)


def test_duckdb_csv_path_agrees_with_the_record_path(tmp_path):
    rows = [acled_row(1), acled_row(2, geo=2), acled_row(3, geo=3, admin1="Khyber Pakhtunkhwa"),
            acled_row(4, lon=69.2, lat=34.5, admin1="Kabul", country="Afghanistan")]
    path = write_csv(tmp_path / "a.csv", ACLED_CURRENT, rows)
    spec = AggregateSpec(level="province")
    fast = aggregate.from_csv(path, spec, _admin1(), aliases=conflictdata.load_aliases())
    slow = aggregate.aggregate(list(conflictdata.load(path).records), spec, _admin1())
    assert dict(zip(fast.units["unit"], fast.units["count"])) == dict(zip(slow.units["unit"], slow.units["count"]))


def test_build_with_aggregate_sends_members_and_marks_acled_items(tmp_path, cli):
    from bordermap import pagedata
    src = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1), acled_row(2, geo=3)])
    result = cli("build", "--events", src, "--aggregate", "province", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    doc = pagedata.read((tmp_path / "out" / "border-region.html").read_bytes())
    items = pagedata.decode(doc).items
    acled_items = [i for i in items if i.id.startswith("acled-")]
    assert acled_items and not any(i.redistributable for i in acled_items)
    assert all(i.redistributable for i in items if not i.id.startswith("acled-"))
    assert any(a.startswith("ACLED") and "accessed 2023-11-14" in a for a in doc["attribution"])
    agg = doc["aggregate"]
    members = [[sum(u[:k + 1]) for k in range(len(u))] for u in agg["units"]]
    ids = {items[i].id for m in members for i in m}
    assert {"acled-pak1", "acled-pak2"} <= ids
    layer = next(l for l in doc["layers"] if l["name"] == agg["layer"])
    assert len(layer["features"]) == len(agg["units"])
    bad = cli("build", "--aggregate", "county", "--out", tmp_path / "out")
    assert bad.returncode == 2 and "county" in bad.stderr


def test_an_export_damaged_after_its_header_is_still_recognised_and_the_line_named(tmp_path, cli):
    path = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1), acled_row(2)])
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b"Quetta", b"Q\xe9tta")  # a Latin-1 byte on the second row (line 3)
    path.write_bytes(b"\n".join(lines))
    assert conflictdata.detect(path) == "acled"
    result = cli("build", "--events", path, "--out", tmp_path / "out")
    assert result.returncode == 2 and not (tmp_path / "out").exists()
    offset = path.read_bytes().index(bytes([0xE9]))
    assert result.stderr.strip() == (f"bordermap: error: {path}: line 3 is not UTF-8 text (byte {offset}); "
                                     "ACLED and UCDP publish UTF-8, download the file again")


# --- the column path: the same mapping, column by column ------------------------------------------------

def messy_acled(n: int, seed: int, layout=ACLED_CURRENT) -> list[dict]:
    """ACLED rows that meet every rule: monadic repeats, missing ids, wrong countries, every date form and
    precision (bad ones too), unknown or padded admin names, districts, points outside the map or not numbers."""
    import random

    rng = random.Random(seed)
    pick = rng.choice
    rows = []
    for i in range(n):
        row = acled_row(i if i % 6 else max(i - 1, 0), time=pick(["1", "2", "3", "1.0", "5", ""]),
                        geo=pick(["1", "2", "3", "3.0", "4", ""]),
                        admin1=pick(["Balochistan", " Baluchistan ", "Khyber Pakhtunkhwa", "Atlantis", "", "Kabul",
                                     "Hilmand", "Nimroz"]),
                        admin2=pick(["Kech", "Quetta", "Bajaur", "Nowhere", ""]),
                        lon=pick([round(rng.uniform(60, 72), 4), round(rng.uniform(60, 72), 4), "x", "", 120.0]),
                        lat=round(rng.uniform(25, 37), 4), fatalities=pick(["0", "3", "", "2.0", "x", "12"]),
                        inter1=pick(["1", "2.0", "State forces", ""]), inter2=pick(["0", "3", "", "Rebel group"]),
                        date=pick(["2023-03-15", "15 March 2023", "2023-02-30", "03/04/2023", "15-March-2023",
                                   "2022-12-01", "soon"]),
                        country=pick(["Pakistan", "Afghanistan", "India", "Pakistan", "iran"]),
                        actor2=pick(["BLA", "", "TTP", "Taliban", "Military Forces of Pakistan"]))
        row.update(event_id_cnty="" if i % 17 == 5 else row["event_id_cnty"],
                   assoc_actor_1=pick(["", "A; B", "TTP;", "Civilians (Pakistan)"]),
                   source=pick(["Dawn; Geo News", "", "Dawn", "AP;;Dawn", " Dawn "]),
                   notes=pick(["", "Note <i>x</i>", "Another"]), location=pick(["Quetta", "", "Turbat"]),
                   event_type=pick(["Battles", "Protests", "Riots", "Other", ""]),
                   sub_event_type=pick(["Armed clash", "", "Peaceful protest"]))
        if layout is ACLED_OLD:
            row.update(data_id=i, event_id_no_cnty=i, iso3="PAK")
        rows.append(row)
    return rows


def messy_ucdp(n: int, seed: int) -> list[dict]:
    """UCDP GED rows that meet every rule: repeated ids, every where_prec and date_prec (bad ones too),
    reversed ranges, estimates that do not contain the best, unknown units and districts."""
    import random

    rng = random.Random(seed)
    pick = rng.choice
    rows = []
    for i in range(n):
        start = f"2022-0{1 + i % 9}-{rng.randint(1, 27):02d}"
        row = ucdp_row(i if i % 9 else max(i - 1, 0), where=pick(["1", "2", "3", "4", "5", "6", "7", "9", "3.0"]),
                       date=pick(["1", "2", "3", "4", "5", "8", "4.0"]), start=pick([start, start, "x"]),
                       end=pick([start, f"2022-0{1 + i % 9}-28", f"2023-0{1 + i % 9}-28", "", "bad"]),
                       adm1=pick(["Balochistan province", "Khyber Pakhtunkhwa", "Atlantis", "", "Kabul province",
                                  "Hilmand", "Sistan and Baluchestan ostan"]),
                       adm2=pick(["Kech district", "Quetta", "Bajaur", "Nowhere", ""]),
                       best=pick([4, 0, "", 7]), low=pick([3, 5, "", 0]), high=pick([9, 2, "", 12]),
                       lon=pick([round(rng.uniform(60, 72), 5), round(rng.uniform(60, 72), 5), "abc"]),
                       lat=round(rng.uniform(25, 37), 5))
        row.update(source_office=pick(["Dawn;BBC", "BBC", "", "Dawn; Dawn;AP"]),
                   dyad_name=pick(["Government of Pakistan - BLA", ""]),
                   source_headline=pick(["", "Head <b>1</b>"]), country=pick(["Pakistan", "Afghanistan", "Iran",
                                                                              "India", "Pakistan"]),
                   type_of_violence=pick(["1", "2", "3", "4"]), deaths_civilians=pick(["", "2", "0"]),
                   side_b=pick(["BLA", "", "TTP"]), id="" if i % 23 == 4 else row["id"])
        rows.append(row)
    return rows


@pytest.mark.parametrize("name, layout, make", [("acled.csv", ACLED_CURRENT, messy_acled),
                                                ("acled_old.csv", ACLED_OLD, lambda n, s: messy_acled(n, s, ACLED_OLD)),
                                                ("GEDEvent_v24_1.csv", UCDP_GED, messy_ucdp)])
def test_the_column_mapping_is_the_record_mapping_on_messy_exports(tmp_path, name, layout, make):
    path = write_csv(tmp_path / name, layout, make(1500, 7))
    by_rows, by_columns = conflictdata.load(path), conflictdata.load_table(path)
    assert by_columns.table.records() == by_rows.records
    assert (by_columns.dataset, by_columns.notes, by_columns.citation, by_columns.rows, by_columns.skipped) == \
        (by_rows.dataset, by_rows.notes, by_rows.citation, by_rows.rows, by_rows.skipped)
    # the file meets the rules it is meant to: rows kept and rows left out, points and units
    assert 0 < len(by_rows.records) < 1500 and by_rows.skipped > 0 and len(by_rows.notes) >= 6
    assert {r.lon is None for r in by_rows.records} == {True, False}


def test_an_acled_tables_sources_are_shared_and_each_row_keeps_its_own_event(tmp_path):
    """Rows differ only in the event their sources name: the table holds one value per outlet list."""
    rows = [acled_row(n, geo=1 + n % 2) for n in range(50)]
    path = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, rows)
    table = conflictdata.load_table(path).table
    assert len(table.coded["sources"][1]) == len({r["source"] for r in rows}) == 1
    assert [r.sources[0].work for r in table.records()] == [f"ACLED event {r['event_id_cnty']}, accessed 2023-11-14"
                                                            for r in rows]


def test_the_column_reader_reads_what_the_row_reader_reads(tmp_path):
    """Blank lines, a short row, a repeated column name, padded cells and a quoted line break."""
    path = tmp_path / "acled.csv"
    head = ",".join(ACLED_CURRENT + ["notes"])
    body = ["PAK1," + ",".join(f" v{k} " for k in range(len(ACLED_CURRENT))),
            "", "PAK2,2023-01-01,2023", 'PAK3,"two\nlines",' + ",".join("x" * k for k in range(len(ACLED_CURRENT) - 1))]
    path.write_text("\ufeff" + head + "\n" + "\n".join(body) + "\n", encoding="utf-8")
    rows = conflictdata.read_rows(path)
    columns = conflictdata.Columns(path)
    assert columns.n == len(rows) == 3
    for name in [*ACLED_CURRENT, "absent"]:
        assert columns.get(name).tolist() == [row.get(name, "") for row in rows], name


def test_a_point_on_a_border_takes_the_province_one_lookup_finds(tmp_path):
    """The bulk spatial query picks, for a point on two provinces' border, the unit the lookup of one point does."""
    import numpy as np
    import shapely

    admin1 = sources.read_embedded("admin1.geojson")
    names = conflictdata.AdminNames(admin1, conflictdata.load_aliases())
    rings = [shapely.get_coordinates(g.exterior if g.geom_type == "Polygon" else max(g.geoms, key=lambda p: p.area).exterior)
             for g in admin1.geometry[:12]]
    points = np.concatenate([r[:: max(1, len(r) // 15)] for r in rings] + [np.array([[0.0, 0.0], [67.0, 30.18]])])
    expected = [names.at(x, y) or "" for x, y in points.tolist()]
    assert names.at_many(points[:, 0], points[:, 1]).tolist() == expected
    assert "" in expected and len(set(expected)) > 5


@pytest.mark.parametrize("damage", ["latin-1", "long row", "header only", "nothing usable"])
def test_a_damaged_export_gets_the_same_one_line_error_on_the_column_path(tmp_path, cli, damage):
    path = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, [acled_row(1), acled_row(2, country="India")])
    text = path.read_bytes()
    if damage == "latin-1":
        path.write_bytes(text.replace(b"Note 2", b"N\xf6te 2"))
    elif damage == "long row":
        path.write_bytes(text.rstrip(b"\r\n") + b",one too many\r\n")
    elif damage == "header only":
        path.write_bytes(text.split(b"\n")[0] + b"\n")
    else:
        write_csv(path, ACLED_CURRENT, [acled_row(1, country="India"), acled_row(2, geo=3, admin1="Atlantis")])
    with pytest.raises(Exception) as by_rows:
        conflictdata.load(path)
    with pytest.raises(Exception) as by_columns:
        conflictdata.load_table(path)
    assert type(by_columns.value) is type(by_rows.value) and str(by_columns.value) == str(by_rows.value)
    result = cli("build", "--events", path, "--out", tmp_path / "out")
    assert result.returncode == 2 and not (tmp_path / "out").exists()
    problems = getattr(by_rows.value, "problems", None) or [str(by_rows.value).split(": ", 1)[1]]
    errors = [line for line in result.stderr.splitlines() if line.startswith("bordermap: error:")]
    assert errors == [f"bordermap: error: {path}: {p}" for p in problems]
