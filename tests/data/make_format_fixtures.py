"""Make tests/data/formats/: small real files in every analysts' format, each cut from a real source.

Sources: Natural Earth 1:110m countries ("lowres", public domain) as shipped in pyogrio's test fixtures;
geoBoundaries PAK ADM2 (public domain, /work/shared/data/geoboundaries); pyogrio's line_zm.gpkg (MIT,
a measured line); the four sites of tests/data/layers/sites.geojson. Files GDAL writes (Shapefile,
GeoPackage, GML, GeoParquet through pyarrow) are written by it; TopoJSON, GPX, KML and CSV are written
here in their published layouts (TopoJSON 1.0, GPX 1.1, KML 2.2, RFC 4180 CSV).

Run with pyarrow installed: ``python tests/data/make_format_fixtures.py``.
"""

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import pyogrio

DATA = Path(__file__).parent
OUT = DATA / "formats"
FIXTURES = Path(pyogrio.__file__).parent / "tests" / "fixtures"
TOPOJSON = Path("/work/shared/data/geoboundaries/geoBoundaries-PAK-ADM2_simplified.topojson")
SITES = gpd.read_file(DATA / "layers" / "sites.geojson")
#: Natural Earth country names -> the file they go to.
COUNTRIES = {
    "ne_europe": ["Finland", "Estonia", "Ukraine", "Belarus"],
    "ne_edge": ["Russia", "Fiji"],  # Russia reaches x = 180.00000000000006
    "ne_americas": ["United States of America"],
}


def topology(source: dict, objects: dict[str, list[str]]) -> dict:
    """A TopoJSON topology holding only the named units of ``source``, its arcs renumbered."""
    (geoms,) = [o["geometries"] for o in source["objects"].values()]
    by_name = {g["properties"]["shapeName"]: g for g in geoms}
    used: dict[int, int] = {}

    def renumber(arcs):
        if isinstance(arcs, int):
            index = arcs if arcs >= 0 else ~arcs
            new = used.setdefault(index, len(used))
            return new if arcs >= 0 else ~new
        return [renumber(a) for a in arcs]
    out = {}
    for name, units in objects.items():
        out[name] = {"type": "GeometryCollection",
                     "geometries": [{**by_name[u], "arcs": renumber(by_name[u]["arcs"])} for u in units]}
    arcs = [source["arcs"][i] for i in sorted(used, key=used.get)]
    return {"type": "Topology", **({"transform": source["transform"]} if "transform" in source else {}),
            "objects": out, "arcs": arcs}


def gpx(waypoints, route, track) -> str:
    pts = "".join(f'<wpt lat="{y}" lon="{x}"><name>{n}</name></wpt>\n' for n, x, y in waypoints)
    rte = ("<rte><name>Quetta to Chaman</name>\n" + "".join(
        f'<rtept lat="{y}" lon="{x}"><name>{n}</name></rtept>\n' for n, x, y in route) + "</rte>\n") if route else ""
    trk = ("<trk><name>coast</name><trkseg>\n" + "".join(
        f'<trkpt lat="{y}" lon="{x}"/>\n' for _, x, y in track) + "</trkseg></trk>\n") if track else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="bordermap tests" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n' + pts + rte + trk + "</gpx>\n")


def kml(folders: dict[str, list]) -> str:
    body = "".join(f"<Folder><name>{name}</name>\n" + "".join(
        f"<Placemark><name>{n}</name><Point><coordinates>{x},{y}</coordinates></Point></Placemark>\n"
        for n, x, y in places) + "</Folder>\n" for name, places in folders.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"<name>sites</name>\n{body}</Document></kml>\n")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    ne = gpd.read_file(FIXTURES / "naturalearth_lowres" / "naturalearth_lowres.shp")
    for stem, names in COUNTRIES.items():
        folder = OUT / stem
        folder.mkdir()
        pyogrio.write_dataframe(ne[ne["name"].isin(names)].reset_index(drop=True), folder / f"{stem}.shp")
    # the same European countries in their own (declared) projection, ETRS89 / LAEA Europe
    pyogrio.write_dataframe(ne[ne["name"].isin(COUNTRIES["ne_europe"])].to_crs(3035), OUT / "ne_europe_3035.fgb")
    shutil.copy(FIXTURES / "line_zm.gpkg", OUT / "line_zm.gpkg")  # a measured (M) line: GDAL warns

    source = json.loads(TOPOJSON.read_text())
    (OUT / "districts.topojson").write_text(json.dumps(topology(source, {
        "coast": ["Gwadar", "Kech", "Lasbela"], "north": ["Quetta", "Pishin"]})))
    one = topology(source, {"empty": [], "coast": ["Gwadar", "Kech"]})
    (OUT / "one_object.topojson").write_text(json.dumps(one))
    (OUT / "one_object.json").write_text(json.dumps(one))

    towns = [(r["name"], r.geometry.x, r.geometry.y) for _, r in SITES.iterrows()][:3]
    (OUT / "trip.gpx").write_text(gpx(towns, towns[:2], [towns[2], *towns[:2]]))
    (OUT / "waypoints.gpx").write_text(gpx(towns, [], []))
    (OUT / "folders.kml").write_text(kml({"empty": [], "towns": towns}))
    (OUT / "two_folders.kml").write_text(kml({"coast": towns[2:], "north": towns[:2]}))
    (OUT / "no_folders.kml").write_text(kml({}))

    pyogrio.write_dataframe(SITES, OUT / "sites.gml", driver="GML", FORMAT="GML3")  # with its .xsd
    tables = OUT / "tables.gpkg"
    pyogrio.write_dataframe(SITES.iloc[:0], tables, layer="empty")
    pyogrio.write_dataframe(SITES, tables, layer="sites", append=True)

    tagged = SITES.assign(tags=[["capital", "province"], ["border"], ["port", "CPEC"], []])
    tagged.to_parquet(OUT / "sites.parquet")
    pq.write_table(pa.table({"name": list(SITES["name"]), "tags": tagged["tags"].tolist()}), OUT / "plain.parquet")
    (OUT / "sites_array.json").write_text(json.dumps(json.loads(SITES.to_json(drop_id=True))["features"]))

    # CSV: a WKT column; a "Geometry" column; Spanish spellings beside UTM metres; a bare x/y pair
    wkt = "".join(f'"{n}","{g.wkt}"\n' for n, g in zip(SITES["name"], SITES.geometry))
    (OUT / "sites_wkt.csv").write_text('name,WKT\n' + wkt)
    (OUT / "sites_geometry.csv").write_text('name,Geometry\n' + wkt)
    utm = SITES.to_crs(32642)
    (OUT / "sites_utm.csv").write_text("Nombre,X,Y,Longitud,Latitud\n" + "".join(
        f'"{n}",{u.x:.1f},{u.y:.1f},{g.x},{g.y}\n' for n, u, g in zip(SITES["name"], utm.geometry, SITES.geometry)))
    (OUT / "sites_xy.csv").write_text("name,x,y\n" + "".join(
        f'"{n}",{g.x},{g.y}\n' for n, g in zip(SITES["name"], SITES.geometry)))

    feature = lambda name, geometry: {"type": "Feature", "properties": {"name": name}, "geometry": geometry}
    # latitude first, east of 90°E: y beyond ±90 cannot be a latitude (Lhasa, Chittagong)
    (OUT / "lat_first_east.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("Lhasa, lat first", {"type": "Point", "coordinates": [29.65, 91.1172]}),
        feature("Chittagong, lat first", {"type": "Point", "coordinates": [22.3569, 91.8123]})]}))
    # a ring that does not end where it starts (GDAL reads it; GEOS refuses it)
    (OUT / "unclosed.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature("Quetta box", {"type": "Polygon", "coordinates": [[[66.9, 30.1], [67.1, 30.1], [67.1, 30.3],
                                                                  [66.9, 30.3]]]})]}))
    for path in sorted(OUT.rglob("*")):
        if path.is_file() and path.suffix not in (".shx", ".dbf", ".prj", ".cpg", ".xsd"):
            try:
                print(path.relative_to(OUT), [(str(n), pyogrio.read_info(path, layer=n)["features"])
                                              for n, _ in pyogrio.list_layers(path)])
            except Exception as exc:  # Parquet: GDAL has no driver for it
                print(path.relative_to(OUT), type(exc).__name__)


if __name__ == "__main__":
    main()
