"""Make geoboundaries/PAK_ADM2.geojson: a geoBoundaries-shaped file for the fetch tests.

Usage: python tests/data/make_geoboundaries_fixture.py
The shapes are SYNTHETIC test data, not boundaries: Voronoi cells around the
district headquarters in geodata/districts.json, clipped to the embedded
province polygons. Names exercise the alias table (Chaghi, Noshki); Awaran is
left out so that an unmatched district is reported; a decoy "Kech" lies in
Iran so that the parent-province check is exercised.
"""

import json
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[2]
SOURCE_NAMES = {"PK-BA:gwadar": "Gwadar", "PK-BA:kech": "Kech", "PK-BA:panjgur": "Panjgur",
                "PK-BA:washuk": "Washuk", "PK-BA:chagai": "Chaghi", "PK-BA:kharan": "Kharan",
                "PK-BA:nushki": "Noshki", "PK-KP:chitral": "Chitral"}

districts = json.loads((ROOT / "geodata" / "districts.json").read_text())["districts"]
admin1 = gpd.read_file(ROOT / "geodata" / "admin1.geojson").set_index("code")
points = {d["id"]: shapely.Point(d["hq"]["lon"], d["hq"]["lat"]) for d in districts}
cells = shapely.voronoi_polygons(shapely.MultiPoint(list(points.values())), extend_to=shapely.box(55, 20, 80, 40))
features = []
for n, (code, name) in enumerate(sorted(SOURCE_NAMES.items()), 1):
    cell = next(c for c in cells.geoms if c.contains(points[code]))
    shape = shapely.set_precision(cell.intersection(admin1.loc[code.split(":")[0]].geometry), 0.001)
    features.append({"type": "Feature", "properties": {
        "shapeName": name, "shapeISO": "", "shapeID": f"TEST-ADM2-{n:03d}", "shapeGroup": "PAK",
        "shapeType": "ADM2"}, "geometry": json.loads(shapely.to_geojson(shape))})
decoy = shapely.box(60.5, 28.0, 61.0, 28.5)  # in Sistan and Baluchestan, Iran
features.append({"type": "Feature", "properties": {
    "shapeName": "Kech", "shapeISO": "", "shapeID": "TEST-ADM2-999", "shapeGroup": "PAK", "shapeType": "ADM2"},
    "geometry": json.loads(shapely.to_geojson(decoy))})
out = Path(__file__).with_name("geoboundaries") / "PAK_ADM2.geojson"
out.write_text(json.dumps({"type": "FeatureCollection", "features": features}) + "\n")
print(out, out.stat().st_size, "bytes", len(features), "features")
