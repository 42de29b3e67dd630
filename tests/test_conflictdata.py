"""ACLED and UCDP GED exports read as published, and aggregates that invent no precision.

The files are written here in the publishers' exact column layouts (no real rows are needed).
"""

from __future__ import annotations

import csv
import json
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
