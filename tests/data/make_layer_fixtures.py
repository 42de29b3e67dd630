"""Make the small real files the layer tests read (run from anywhere; writes beside this file).

Usage: python tests/data/make_layer_fixtures.py
Every format bordermap reads, once good and once for each kind of bad input.
"""

import json
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

HERE = Path(__file__).parent
GOOD, BAD = HERE / "layers", HERE / "bad"
XSS = "<img src=x onerror=alert(1)>"

SITES = gpd.GeoDataFrame(
    {"name": ["Quetta", "Chaman", "Gwadar", XSS],
     "type": ["city", "crossing", "port", "city"],
     "notes": ["provincial capital", "border town", "port town", XSS]},
    geometry=[shapely.Point(67.00141, 30.18414), shapely.Point(66.45259, 30.91769),
              shapely.Point(62.32541, 25.12163), shapely.Point(71.14108, 34.0988)], crs=4326)
ZONES = gpd.GeoDataFrame(
    {"zone": ["north", "south"]},
    geometry=[shapely.box(66.0, 30.0, 67.5, 31.5), shapely.box(62.0, 25.0, 64.0, 26.5)], crs=4326)


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def main():
    for folder in (GOOD, BAD):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
    # --- every format, good -------------------------------------------------------------
    SITES.to_file(GOOD / "sites.geojson", driver="GeoJSON", engine="pyogrio")
    SITES.to_file(GOOD / "sites.gpkg", layer="sites", driver="GPKG", engine="pyogrio")
    ZONES.to_file(GOOD / "sites.gpkg", layer="zones", driver="GPKG", engine="pyogrio", append=False)
    SITES.to_file(GOOD / "sites.fgb", driver="FlatGeobuf", engine="pyogrio")
    SITES.to_file(GOOD / "sites.kml", driver="KML", engine="pyogrio")
    shp = GOOD / "shp"
    shp.mkdir()
    SITES.to_file(shp / "sites.shp", driver="ESRI Shapefile", engine="pyogrio")
    with zipfile.ZipFile(GOOD / "sites_shp.zip", "w") as zf:
        for part in sorted(shp.iterdir()):
            zf.write(part, f"sites/{part.name}")
    csv = SITES.drop(columns="geometry").assign(longitude=SITES.geometry.x, latitude=SITES.geometry.y)
    csv.to_csv(GOOD / "sites.csv", index=False)
    # projected (UTM zone 42N, Quetta's zone), reprojected on reading
    ZONES.to_crs(32642).to_file(GOOD / "zones_utm42n.gpkg", driver="GPKG", engine="pyogrio")
    # 3D, an invalid (self-intersecting) polygon, an empty and a missing geometry
    (GOOD / "messy.geojson").write_text(json.dumps(fc([
        feature({"type": "Point", "coordinates": [67.0, 30.2, 1680.0]}, name="with height"),
        feature({"type": "Polygon", "coordinates": [[[66, 30], [67, 31], [67, 30], [66, 31], [66, 30]]]},
                name="bow tie"),
        feature({"type": "Point", "coordinates": []}, name="empty"),
        feature(None, name="no geometry"),
    ])))
    # --- every kind of bad input --------------------------------------------------------
    (BAD / "not_json.geojson").write_text("Quetta,67.0,30.2\n")
    (BAD / "not_geojson.json").write_text(json.dumps({"places": [{"name": "Quetta"}]}))
    text = (GOOD / "sites.geojson").read_text()
    (BAD / "truncated.geojson").write_text(text[: len(text) // 2])
    (BAD / "latin1.geojson").write_bytes(
        json.dumps(fc([feature({"type": "Point", "coordinates": [67.0, 30.2]}, name="Qu\u00e9tta")]),
                   ensure_ascii=False).encode("latin-1"))
    (BAD / "no_geometry.geojson").write_text(json.dumps(fc([feature(None, name="a"), feature(None, name="b")])))
    (BAD / "outside_world.geojson").write_text(json.dumps(fc([
        feature({"type": "Point", "coordinates": [3350000.0, 670000.0]}, name="metres, no CRS")])))
    (BAD / "swapped.geojson").write_text(json.dumps(fc([
        feature({"type": "Point", "coordinates": [30.18414, 67.00141]}, name="Quetta, lat first"),
        feature({"type": "Point", "coordinates": [25.12163, 62.32541]}, name="Gwadar, lat first")])))
    (BAD / "no_features.geojson").write_text(json.dumps(fc([])))
    noprj = BAD / "noprj"
    shutil.copytree(shp, noprj)
    (noprj / "sites.prj").unlink()
    ZONES.to_crs(32642).to_file(noprj / "zones.shp", driver="ESRI Shapefile", engine="pyogrio")
    (noprj / "zones.prj").unlink()
    nodbf = BAD / "nodbf"
    shutil.copytree(shp, nodbf)
    (nodbf / "sites.dbf").unlink()
    print("layers:", sorted(p.name for p in GOOD.iterdir()))
    print("bad:", sorted(p.name for p in BAD.iterdir()))
    print(pyogrio.list_layers(GOOD / "sites.gpkg"))


if __name__ == "__main__":
    main()
