"""Hostile files and servers (issue 15): one `bordermap: error: FILE: problem` line, exit 2, nothing written,
previous outputs unchanged, no temp file left, within 10 s; or, for legitimate files, a correct map.

Every case runs the real command line on real files; downloads come from a real server on 127.0.0.1.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bordermap import _io, geoboundaries, layerio, pagedata, settings

from .conftest import DATA, geojson_layers

FIXTURE = (DATA / "geoboundaries" / "PAK_ADM2.geojson").read_bytes()
SECRET_FILE = Path("/etc/passwd")


class Recorder(BaseHTTPRequestHandler):
    """Serves a geoBoundaries-shaped API whose answers the test sets in ``server.routes``."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            return self._send(404, b"not found")
        route(self)

    def _send(self, code, body, headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.requests, httpd.routes = [], {}
    httpd.base = f"http://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _one_error(proc, path_text: str, problem: str, started: float | None = None):
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    errors = [ln for ln in lines if ln.startswith("bordermap: error: ")]
    assert len(errors) == 1 and len(lines) == 1, lines
    assert path_text in errors[0] and problem in errors[0], errors[0]
    if started is not None:
        assert time.monotonic() - started < 10


def _no_temp(folder: Path):
    assert not [p.name for p in folder.rglob("*.tmp")]


# --- 1: virtual formats in disguise, everywhere ------------------------------------------------

def _vrt(source: str) -> str:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="l"><SrcDataSource>{source}</SrcDataSource>'
            '<GeometryType>wkbPoint</GeometryType></OGRVRTLayer></OGRVRTDataSource>')


@pytest.mark.parametrize("suffix", [".fgb", ".gpkg", ".kml", ".shp", ".geojson", ".csv", ".zip", ".topojson", ".gpx",
                                    ".gml", ".parquet", ".geoparquet"])
@pytest.mark.parametrize("target", ["passwd", "url"])
def test_a_vrt_in_disguise_is_refused_and_reads_nothing(cli, server, tmp_path, suffix, target):
    source = f"CSV:{SECRET_FILE}" if target == "passwd" else f"{server.base}/secret.geojson"
    path = tmp_path / f"layer{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(path, "w") as zf:
            for ext in (".shp", ".shx", ".dbf"):
                zf.writestr(f"layer{ext}", _vrt(source))
    else:
        if suffix == ".shp":
            for ext in (".shx", ".dbf"):
                path.with_suffix(ext).write_text(_vrt(source))
        path.write_text(_vrt(source))
    out = tmp_path / "out"
    started = time.monotonic()
    proc = cli("build", "--layer", path, "--out", out)
    _one_error(proc, str(path), "", started)
    assert "refusing" in proc.stderr or "not a readable" in proc.stderr or "not KML" in proc.stderr \
        or "not CSV" in proc.stderr
    assert not out.exists() and server.requests == []


def test_a_vrt_given_as_events_is_refused(cli, server, tmp_path):
    path = tmp_path / "events.geojson"
    path.write_text(_vrt(f"{server.base}/x.geojson"))
    proc = cli("build", "--events", path, "--out", tmp_path / "out")
    _one_error(proc, str(path), "not a readable events file")
    assert server.requests == []


def test_the_driver_gdal_opened_is_checked(tmp_path):
    """An SQLite database that is no GeoPackage passes no magic check; a GeoJSON file saved as .fgb neither."""
    import sqlite3
    db = tmp_path / "plain.gpkg"
    sqlite3.connect(db).execute("create table t (x)").connection.commit()
    with pytest.raises(layerio.SourceError, match="not a readable GeoPackage"):
        layerio.read(db)
    fake = tmp_path / "sites.fgb"
    fake.write_bytes((DATA / "layers" / "sites.geojson").read_bytes())
    with pytest.raises(layerio.SourceError, match="first bytes"):
        layerio.read(fake)


def test_every_suffix_has_an_allow_list_without_referencing_drivers():
    assert set(layerio.DRIVERS) == set(layerio.FORMATS)
    for drivers in layerio.DRIVERS.values():
        assert not {"OGR_VRT", "GDALG", "WFS", "OAPIF", "HTTP", "SQLite"} & set(drivers)


def test_gdal_network_is_off_while_reading_and_restored_after():
    import pyogrio
    with layerio.gdal_lockdown():
        assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") == layerio.GDAL_LOCKDOWN["GDAL_HTTP_PROXY"]
    assert pyogrio.get_gdal_config_option("GDAL_HTTP_PROXY") is None


# --- 2 and 10: one transaction; signals; stale temp files ----------------------------------------

def test_a_failing_figure_leaves_the_previous_map(cli, previous_map):
    before = (previous_map / "border-region.html").read_bytes()
    (previous_map / "border-region.png").mkdir()  # the figure cannot be renamed into place
    proc = cli("build", "--export", "png", "--out", previous_map)
    _one_error(proc, "border-region.png", "cannot write")
    assert (previous_map / "border-region.html").read_bytes() == before
    _no_temp(previous_map)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_writing_leaves_no_temp_file(previous_map, signum):
    """The signal lands exactly in the write step: while the first temporary file is synced."""
    before = (previous_map / "border-region.html").read_bytes()
    script = ("import os, signal, sys\n"
              "from bordermap import cli\n"
              f"os.fsync = lambda fd: os.kill(os.getpid(), {int(signum)})\n"
              f"sys.exit(cli.main(['build', '--out', {str(previous_map)!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")})
    assert proc.returncode in (130, 128 + signum), proc.stderr
    assert (previous_map / "border-region.html").read_bytes() == before
    _no_temp(previous_map)


def test_stale_temp_files_are_swept_and_fresh_ones_kept(tmp_path):
    old, fresh, other = tmp_path / ".map.html.abcd1234.tmp", tmp_path / ".map.html.efgh5678.tmp", tmp_path / "notes.tmp"
    for p in (old, fresh, other):
        p.write_text("x")
    past = time.time() - settings.STALE_TMP_SECONDS - 60
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    _io.write_all([(tmp_path / "map.html", b"new")])
    assert not old.exists() and fresh.exists() and other.exists()
    assert (tmp_path / "map.html").read_bytes() == b"new"


def test_build_all_refuses_two_recipes_with_one_output(cli, tmp_path):
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    for name in ("a", "b"):
        (recipes / f"{name}.toml").write_text(f'title = "{name}"\noutput = "same"\ninclude = ["countries"]\n')
    out = tmp_path / "out"
    proc = cli("build", "--all", "--out", out, env={settings.RECIPES_ENV: recipes})
    _one_error(proc, str(recipes / "b.toml"), str(recipes / "a.toml"))
    assert not out.exists()


# --- 3 and 12: legitimate files give a correct map -----------------------------------------------

def test_lists_and_objects_in_properties_are_shown_as_text(cli, tmp_path):
    tags, meta = ["port", "CPEC"], {"since": 2016}
    layer = tmp_path / "ports.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "name": "Gwadar", "tags": tags, "meta": meta}, "geometry": {"type": "Point", "coordinates": [62.33, 25.12]}}]}))
    recipe = tmp_path / "ports.toml"
    recipe.write_text('title = "Ports"\ninclude = ["countries"]\n[[layers]]\npath = "ports.geojson"\n'
                      'tooltip = ["name", "tags", "meta"]\n')
    proc = cli("build", recipe, "--export", "png", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "ports.png").stat().st_size > 0
    (feature,) = geojson_layers((tmp_path / "out" / "ports.html").read_text())["ports"]["features"]
    assert f"tags: {', '.join(tags)}" in feature["properties"]["_tip"]
    assert f"meta: since: {meta['since']}" in feature["properties"]["_tip"]


def test_an_excel_csv_with_a_byte_order_mark_is_read(cli, tmp_path):
    layer = tmp_path / "sites.csv"
    layer.write_bytes("\ufefflongitude,latitude,name\n66.99,30.18,Quetta\n".encode("utf-8"))
    proc = cli("build", "--layer", layer, "--out", tmp_path / "out")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    (feature,) = geojson_layers((tmp_path / "out" / "border-region.html").read_text())["sites"]["features"]
    point = feature["geometry"]
    assert (round(point.x, 2), round(point.y, 2)) == (66.99, 30.18)


# --- 4: names and properties that look like the page's own ---------------------------------------

def test_an_analyst_record_property_does_not_take_over_a_curated_item(cli, tmp_path):
    from bordermap import events
    record_id = events.load_events()[0].id
    layer = tmp_path / "takeover.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "record": record_id}, "geometry": {"type": "Polygon",
                                           "coordinates": [[[61, 29], [62, 29], [62, 30], [61, 29]]]}}]}))
    proc = cli("build", "--layer", layer, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    page = pagedata.decode((tmp_path / "out" / "border-region.html").read_text())
    (feature,) = page.layers["takeover"].features
    assert feature.item is None and record_id in {item.id for item in page.items}  # the item stays the curated one


# --- 5 and 6: data fetch against a hostile server; the cache manifest -----------------------------

def _meta(server, country="PAK", **changes):
    body = {"boundaryID": f"{country}-ADM2-test1", "boundaryISO": country, "boundaryType": "ADM2",
            "boundarySource": "Test", "boundaryLicense": "CC BY 4.0", "buildDate": "Dec 12, 2023",
            "gjDownloadURL": f"{server.base}/files/x.geojson", **changes}
    return lambda h: h._send(200, json.dumps(body).encode())


@pytest.fixture
def cache(server, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(geoboundaries.API_ENV, f"{server.base}/api")
    monkeypatch.setenv(settings.CACHE_ENV, str(folder))
    server.routes["/api/PAK/ADM2/"] = _meta(server)
    server.routes["/files/x.geojson"] = lambda h: h._send(200, FIXTURE)
    return folder


def _good_cache(cli, cache):
    assert cli("data", "fetch", "--allow-http").returncode == 0
    return {p.name: p.read_bytes() for p in cache.iterdir()}


def _chunked_truncated(h):
    h.send_response(200)
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    h.wfile.write(b"%x\r\n%s\r\n" % (1000, FIXTURE[:1000]) + b"ffff\r\nabc")
    h.wfile.flush()
    h.close_connection = True


def _bad_length(h):
    h.send_response(200)
    h.send_header("Content-Length", "abc")
    h.end_headers()
    h.wfile.write(FIXTURE)
    h.close_connection = True


def _points(h):
    data = json.loads(FIXTURE)
    for f in data["features"]:
        f["geometry"] = {"type": "Point", "coordinates": [66.0, 30.0]}
    h._send(200, json.dumps(data).encode())


def _elsewhere(h):
    data = json.loads(FIXTURE)
    for f in data["features"]:
        f["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    h._send(200, json.dumps(data).encode())


def _drip(h):
    h.send_response(200)
    h.send_header("Content-Length", str(len(FIXTURE)))
    h.end_headers()
    for byte in FIXTURE[:40]:
        try:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
        except OSError:
            return
        time.sleep(0.3)


N_UNITS = len(json.loads(FIXTURE)["features"])
FETCH_CASES = {
    "truncated chunked body": ({"/files/x.geojson": _chunked_truncated}, "broke off"),
    "Content-Length abc": ({"/files/x.geojson": _bad_length}, "invalid Content-Length"),
    "point geometries": ({"/files/x.geojson": _points, "meta": {"buildDate": "Jan 1, 2024"}}, "Point geometries"),
    "no units in the region": ({"/files/x.geojson": _elsewhere, "meta": {"buildDate": "Jan 1, 2024"}},
                               "no units in the map's region"),
    "unit count": ({"meta": {"admUnitCount": str(N_UNITS + 5)}}, f"holds {N_UNITS} units but the API states"),
    "licence 0": ({"meta": {"boundaryLicense": "0"}}, "not an open licence"),
    "licence false": ({"meta": {"boundaryLicense": False}}, "not an open licence"),
    "licence blank": ({"meta": {"boundaryLicense": " "}}, "not an open licence"),
    "licence reserved": ({"meta": {"boundaryLicense": "All rights reserved"}}, "not an open licence"),
    "licence NC": ({"meta": {"boundaryLicense": "CC BY-NC 4.0"}}, "not an open licence"),
    "new boundaryID": ({"meta": {"boundaryID": "PAK-ADM2-other"}}, "run again with --sha256"),
    "redirect to another host": ({"/files/x.geojson": "redirect"}, "another host"),
    "slow drip": ({"/files/x.geojson": _drip}, "longer than"),
}


@pytest.mark.parametrize("case", FETCH_CASES)
def test_a_hostile_server_leaves_the_cache_unchanged(cli, server, cache, monkeypatch, case):
    before = _good_cache(cli, cache)
    changes, problem = FETCH_CASES[case]
    for path, route in changes.items():
        if path == "meta":
            server.routes["/api/PAK/ADM2/"] = _meta(server, **route)
        elif route == "redirect":
            other = f"http://localhost:{server.server_port}/files/y.geojson"
            server.routes[path] = lambda h: h._send(302, b"", [("Location", other)])
        else:
            server.routes[path] = route
    monkeypatch.setattr(settings, "FETCH_DEADLINE", 2.0)
    started = time.monotonic()
    proc = cli("data", "fetch", "--allow-http")
    _one_error(proc, server.base, problem, started)
    assert {p.name: p.read_bytes() for p in cache.iterdir()} == before
    assert "/files/y.geojson" not in server.requests


def test_plain_http_needs_allow_http(cli, server, cache):
    proc = cli("data", "fetch")
    _one_error(proc, server.base, "only https")
    assert server.requests == [] and not cache.exists()


@pytest.mark.parametrize("manifest, problem", [
    ([], "not an object"),
    ({"releases": {"PAK-ADM2": {"country": "PAK"}}}, "no valid"),
    ({"releases": {"PAK-ADM2": {"country": "PAK", "level": "ADM2", "file": "../../x.geojson", "sha256": "0",
                                "features": 1, "licence": "CC0", "boundary_id": "x"}}}, "not a plain .geojson name"),
])
def test_a_malformed_cache_manifest_is_one_error(cli, cache, manifest, problem):
    cache.mkdir()
    (cache / geoboundaries.MANIFEST).write_text(json.dumps(manifest))
    proc = cli("build", "--out", cache.parent / "out")
    _one_error(proc, geoboundaries.MANIFEST, problem)
    assert not (cache.parent / "out").exists()


# --- 7: what the command line prints -------------------------------------------------------------

def test_control_characters_in_file_names_are_printed_escaped(cli, tmp_path):
    path = tmp_path / "evil\nbordermap: note: forged\x1b[2J.geojson"
    path.write_text("{ broken")
    proc = cli("validate", path)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert "\\n" in line and "\\x1b" in line and "\x1b" not in line


# --- 8 and 9: recipes and inputs that used to crash or hang ---------------------------------------

RECIPE_CASES = {
    "focus": ('focus = ["ZZZ"]', "focus", "unknown unit code"),
    "center nan": ("center = [nan, 60.0]\nzoom = 6", "center", "expected"),
    "center outside": ("center = [95.0, 60.0]\nzoom = 6", "center", "expected"),
    "radius inf": ('[[layers]]\npath = "l.geojson"\nradius = inf', "layers[1].radius", "expected"),
    "weight inf": ('[[layers]]\npath = "l.geojson"\nweight = inf', "layers[1].weight", "expected"),
    "simplify inf": ('[[layers]]\npath = "l.geojson"\nsimplify = inf', "layers[1].simplify", "expected"),
    "nested": ("x = " + "[" * 2000 + "]" * 2000, "", "nested"),
    "tiny bounds": ("bounds = [60.0, 30.0, 60.0000001, 30.0000001]", "bounds", "at least"),
}


@pytest.mark.parametrize("case", RECIPE_CASES)
@pytest.mark.parametrize("command", ["build", "export"])
def test_bad_recipe_values_are_one_error(cli, tmp_path, case, command):
    body, key, problem = RECIPE_CASES[case]
    (tmp_path / "l.geojson").write_bytes((DATA / "layers" / "sites.geojson").read_bytes())
    recipe = tmp_path / "r.toml"
    recipe.write_text(f'title = "T"\n{body}\n')
    started = time.monotonic()
    proc = cli(command, recipe, "--out", tmp_path / "out")
    _one_error(proc, f"{recipe}: {key}", problem, started)
    assert not (tmp_path / "out").exists()


def test_dollar_signs_are_plain_text_in_figures(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import importlib
    from bordermap import recipe as recipe_mod, render_static
    build = importlib.import_module("bordermap.build")
    title = "Prices in $ and more $ \\frac{a}{$"
    r = recipe_mod.Recipe(name="dollars", title=title, description="$x_1^2$ stays", include=("countries",))
    a = build._assemble(r, (), (), None)
    fig = render_static.render(a.layers, a.recipe, a.bounds, size=(600, 450), dpi=50)
    texts = fig.figure.findobj(matplotlib.text.Text)
    assert title in {t.get_text() for t in texts} and not [t for t in texts if t.get_text() and t.get_parse_math()]
    assert render_static.to_bytes(fig, "png")[:4] == b"\x89PNG"


def test_an_unknown_encoding_is_one_error(cli, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes((DATA / "layers" / "sites.csv").read_bytes())
    _one_error(cli("validate", path, "--encoding", "no-such-encoding"), str(path), "unknown text encoding")


@pytest.mark.parametrize("kind", ["recipe fifo", "events fifo", "layer fifo", "recipe /dev/zero", "layer /dev/zero"])
def test_pipes_and_devices_are_refused_at_once(run, tmp_path, kind):
    where, what = kind.split()
    if what == "fifo":
        path = tmp_path / ("x.toml" if where == "recipe" else "x.geojson")
        os.mkfifo(path)
    else:
        path = tmp_path / ("zero.toml" if where == "recipe" else "zero.geojson")
        path.symlink_to("/dev/zero")
    args = {"recipe": [str(path)], "events": ["--events", str(path)], "layer": ["--layer", str(path)]}[where]
    started = time.monotonic()
    proc = run("build", *args, "--out", str(tmp_path / "out"),
               env={"PYTHONPATH": str(Path(__file__).parents[1] / "src")})
    _one_error(proc, "zero" if what != "fifo" else path.name, "not a regular file", started)


def test_a_zip_bomb_is_refused_before_it_is_expanded(cli, tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.shp", b"\x00\x00\x27\x0a" + bytes(50_000_000))
        zf.writestr("a.shx", b"")
        zf.writestr("a.dbf", b"")
    assert bomb.stat().st_size < 200_000
    started = time.monotonic()
    _one_error(cli("validate", bomb), str(bomb), "zip bomb", started)


def test_limits_are_documented_settings(monkeypatch, tmp_path):
    layer = tmp_path / "sites.geojson"
    layer.write_bytes((DATA / "layers" / "sites.geojson").read_bytes())
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", layer.stat().st_size - 1)
    with pytest.raises(layerio.SourceError, match="MAX_FILE_BYTES"):
        layerio.read(layer)
    monkeypatch.setattr(settings, "MAX_FILE_BYTES", 1 << 30)
    monkeypatch.setattr(settings, "MAX_FEATURES", 1)
    with pytest.raises(layerio.SourceError, match="MAX_FEATURES"):
        layerio.read(layer)


# --- 12: library warnings --------------------------------------------------------------------

def test_library_warnings_become_one_note_each(cli, tmp_path, monkeypatch):
    import warnings
    import importlib
    build_mod = importlib.import_module("bordermap.build")
    original = build_mod.load_layer

    def noisy(spec):
        warnings.warn("a library says\nsomething on two lines", UserWarning)
        return original(spec)
    monkeypatch.setattr(build_mod, "load_layer", noisy)
    layer = tmp_path / "sites.geojson"
    layer.write_bytes((DATA / "layers" / "sites.geojson").read_bytes())
    proc = cli("build", "--layer", layer, "--out", tmp_path / "out")
    assert proc.returncode == 0
    assert proc.stderr.splitlines() == ["bordermap: note: a library says something on two lines"]


# --- 4 and 13 in a real browser: a layer named __proto__; the Content-Security-Policy -----------------

from .conftest import needs_browser  # noqa: E402

CSP_WATCH = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });")


def _open(browser, path, cdn: bool = False):
    """The page from file://, CSP violations and console errors recorded; with ``cdn`` the CDN's URLs are
    answered from the packaged copies (the same bytes the page's integrity= hashes name)."""
    from bordermap import assets
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: errors.append(f"{m.text} {(m.location or {}).get('url', '')}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(CSP_WATCH)

    def answer(route):
        url = route.request.url
        if url in assets.LOCAL:
            kind = "text/css" if url.endswith(".css") else "application/javascript"
            route.fulfill(status=200, body=assets.local_file(url).read_bytes(),
                          headers={"Content-Type": kind, "Access-Control-Allow-Origin": "*"})
        else:
            route.abort()
    if cdn:
        page.route("https://**/*", answer)
    page.goto(path.as_uri())
    page.wait_for_function("() => window.bordermap && window.bordermap.started", timeout=20000)
    page.wait_for_timeout(500)
    return page, errors


@pytest.mark.browser
@needs_browser
def test_a_layer_named_proto_keeps_the_panel_working(browser, tmp_path):
    from bordermap import build
    (tmp_path / "l.geojson").write_bytes((DATA / "layers" / "sites.geojson").read_bytes())
    recipe = tmp_path / "proto.toml"
    recipe.write_text('title = "Proto"\n[[layers]]\npath = "l.geojson"\nname = "__proto__"\n')
    (html,) = build(recipe, tmp_path / "out", self_contained=True)
    assert pagedata.decode(html.read_text()).items  # the curated items the panel must list
    page, errors = _open(browser, html)
    assert page.evaluate("Object.keys(window.bordermap.shapes).indexOf('__proto__') >= 0")
    assert page.evaluate("document.querySelectorAll('#bm-list li').length") > 0
    assert page.evaluate("document.querySelectorAll('#bm-facets input').length") > 0
    assert "__proto__" in page.inner_text("#bm-layer-list")
    assert errors == [] and page.evaluate("window.__csp") == []
    page.close()


@pytest.mark.browser
@needs_browser
@pytest.mark.parametrize("cdn", [False, True], ids=["self-contained", "cdn"])
def test_the_content_security_policy_lets_the_page_work(browser, tmp_path, cdn):
    from bordermap import build
    (html,) = build(None, tmp_path / "out", self_contained=not cdn)
    page, errors = _open(browser, html, cdn=cdn)
    policy = page.evaluate("document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    assert page.evaluate("document.querySelectorAll('path.leaflet-interactive').length") > 80
    assert page.evaluate("document.querySelectorAll('#bm-list li').length") > 0
    assert page.evaluate("window.__csp") == []
    assert [e for e in errors if "tile.openstreetmap.org" not in e] == []
    page.close()


def test_cdn_assets_carry_integrity_hashes_of_the_pinned_release(tmp_path):
    import base64
    import hashlib
    from bs4 import BeautifulSoup
    from bordermap import assets, build
    (html,) = build(None, tmp_path / "out", self_contained=False)  # a page that links its assets (--cdn)
    soup = BeautifulSoup(html.read_text(), "html.parser")
    linked = [(t.get("src") or t.get("href"), t) for t in soup.select("script[src], link[rel=stylesheet]")]
    assert linked and {url for url, _ in linked} <= set(assets.LOCAL)
    for url, tag in linked:
        digest = base64.b64encode(hashlib.sha384(assets.local_file(url).read_bytes()).digest()).decode()
        assert tag["integrity"] == f"sha384-{digest}" and tag["crossorigin"] == "anonymous"


def test_a_read_that_takes_too_long_is_refused(cli, tmp_path, monkeypatch):
    """A large enough file read with the limit set below its read time: one error, at the limit."""
    features = [{"type": "Feature", "properties": {"n": i}, "geometry": {"type": "Point", "coordinates": [
        60 + i % 100 / 10, 25 + i // 100 / 100]}} for i in range(60_000)]
    layer = tmp_path / "many.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    monkeypatch.setattr(settings, "MAX_READ_SECONDS", 0.01)
    _one_error(cli("validate", layer), str(layer), "MAX_READ_SECONDS")


def test_a_gdal_pipeline_saved_as_geojson_is_refused(cli, tmp_path):
    """GDAL's streamed-algorithm files (GDALG) run a pipeline that may read any file."""
    path = tmp_path / "pipe.json"
    path.write_text(json.dumps({"type": "gdal_streamed_alg",
                                "command_line": f"gdal vector pipeline ! read CSV:{SECRET_FILE} ! write -"}))
    out = tmp_path / "out"
    _one_error(cli("build", "--layer", path, "--out", out), str(path), "refusing it")
    assert not out.exists()


def test_an_unsafe_zip_member_path_is_refused(cli, tmp_path):
    bad = tmp_path / "escape.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../outside.shp", b"\x00\x00\x27\x0a")
    _one_error(cli("validate", bad), str(bad), "unsafe path")
