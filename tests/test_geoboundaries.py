"""District boundaries on demand, against a geoBoundaries-shaped server on 127.0.0.1."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from bs4 import BeautifulSoup

from bordermap import events, geoboundaries, settings
from bordermap.errors import SourceError
from bordermap.sources import load_boundaries, load_district_shapes

from .conftest import DATA, geojson_layers, layer_control, legend_labels, marker_sets, page_data, page_text

FIXTURE = (DATA / "geoboundaries" / "PAK_ADM2.geojson").read_bytes()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        routes = {
            "/api/current/gbOpen/PAK/ADM2/": ("meta", f"{base}/files/PAK_ADM2.geojson"),
            "/api/current/gbOpen/AFG/ADM2/": ("meta", f"{base}/files/truncated.geojson"),
            "/api/current/gbOpen/IRN/ADM2/": ("meta", f"{base}/files/not-geoboundaries.geojson"),
        }
        if self.path in routes:
            iso, adm = self.path.split("/")[4:6]
            body = json.dumps({
                "boundaryID": f"{iso}-{adm}-test1", "boundaryISO": iso, "boundaryType": adm,
                "boundaryCanonical": "District", "boundaryYearRepresented": "2020",
                "boundarySource": "Test source", "boundaryLicense": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
                "licenseDetail": "", "licenseSource": "https://example.org/licence",
                "sourceDataUpdateDate": "2021-01-01", "buildDate": "Dec 12, 2023",
                "gjDownloadURL": routes[self.path][1], "simplifiedGeometryGeoJSON": routes[self.path][1],
                "tjDownloadURL": "", "staticDownloadLink": ""}).encode()
            return self._send(200, body)
        if self.path == "/files/PAK_ADM2.geojson":
            return self._send(200, FIXTURE)
        if self.path == "/files/truncated.geojson":  # promises the whole file, sends half
            self.send_response(200)
            self.send_header("Content-Length", str(len(FIXTURE)))
            self.end_headers()
            self.wfile.write(FIXTURE[: len(FIXTURE) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path == "/files/not-geoboundaries.geojson":
            return self._send(200, (DATA / "layers" / "sites.geojson").read_bytes())
        self._send(404, b"not found")

    def _send(self, code, body):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/api/current/gbOpen"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def env(server, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(geoboundaries.API_ENV, server)
    monkeypatch.setenv(settings.CACHE_ENV, str(cache))
    return cache


def _cache_listing(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_fetch_verifies_derives_and_records(cli, env):
    proc = cli("data", "fetch", "--allow-http", "--country", "PAK")
    assert proc.returncode == 0, proc.stderr
    assert _cache_listing(env) == ["PAK-ADM2.geojson", "geoboundaries.json"]
    rec = json.loads((env / "geoboundaries.json").read_text())["releases"]["PAK-ADM2"]
    assert rec["licence"].endswith("(CC BY 4.0)") and rec["boundary_id"] == "PAK-ADM2-test1"
    import hashlib
    assert rec["download_sha256"] == hashlib.sha256(FIXTURE).hexdigest() and rec["download_bytes"] == len(FIXTURE)
    assert rec["sha256"] == hashlib.sha256((env / "PAK-ADM2.geojson").read_bytes()).hexdigest()
    units = len(json.loads(FIXTURE)["features"])
    assert rec["features"] == units
    status = cli("data", "status")
    assert f"geoBoundaries gbOpen PAK-ADM2-test1, {units} units" in status.stdout and "CC BY 4.0" in status.stdout


def test_builds_use_cached_district_polygons(cli, env, tmp_path):
    assert cli("data", "fetch", "--allow-http").returncode == 0
    proc = cli("build", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    # Awaran is not in the fixture: reported, not dropped
    assert "district PK-BA:awaran (Awaran) has no match" in proc.stderr
    html = (tmp_path / "out" / "border-region.html").read_text()
    overlays = layer_control(html)
    assert "Districts (geoBoundaries PAK ADM2)" in overlays
    # the fetched release wins over the embedded file: its units, and only its
    drawn = geojson_layers(html)["Districts (geoBoundaries PAK ADM2)"]["features"]
    assert len(drawn) == len(geoboundaries.cached("ADM2")[0].frame) != len(load_district_shapes())
    areas = geojson_layers(html)[overlays["Group areas"]]
    tips = [f["properties"]["_tip"] for f in areas["features"]]
    assert any("Kech district (PAK ADM2: Kech)" in t for t in tips)
    assert any("Chagai district (PAK ADM2: Chaghi)" in t for t in tips)  # alias
    assert any("Nushki district (PAK ADM2: Noshki)" in t for t in tips)  # alias
    rings = marker_sets(html)["Group areas: districts (shown at headquarters towns)"]
    assert {m["id"].split("@")[1] for m in rings} == {"PK-BA:awaran"}  # only the unmatched one stays a point
    assert "District areas from geoBoundaries gbOpen PAK ADM2 (Creative Commons Attribution 4.0 International " \
           "(CC BY 4.0); source: Test source)" in legend_labels(html)
    assert "Districts: geoBoundaries gbOpen PAK ADM2" in page_text(html)  # attribution
    # an event known only to its district is drawn with the district's shape as its uncertainty
    uncertain = geojson_layers(html)[overlays["Location uncertainty"]]
    assert sorted(f["properties"]["_item"] for f in uncertain["features"]) == \
        ["jaish-ul-adl-panjgur-nushki", "jaish-ul-adl-panjgur-nushki", "ttp-chitral-raid-2023"]  # Panjgur, Nushki
    # the search box zooms to the district's shape, and the sources panel names the release
    kech = next(p for p in page_data(html)["places"] if p[0] == "Kech")
    assert kech[3] < kech[5] and kech[4] < kech[6]  # an extent, not a point
    sources = BeautifulSoup(html, "html.parser").find(id="bm-sources").get_text(" ")
    assert "District boundaries (PAK ADM2)" in sources and "Test source" in sources


def test_without_a_cache_builds_draw_the_embedded_districts(cli, tmp_path, monkeypatch):
    monkeypatch.setenv(settings.CACHE_ENV, str(tmp_path / "empty-cache"))
    proc = cli("build", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "has no match" not in proc.stderr  # Washuk has no shape, and the Kharan shape says why
    html = (tmp_path / "out" / "border-region.html").read_text()
    shapes = load_district_shapes()
    drawn = geojson_layers(html)["Districts (geoBoundaries PAK ADM2)"]["features"]
    assert len(drawn) == len(shapes)
    kharan = shapes.loc[shapes["shapeName"] == "Kharan"].iloc[0]
    assert kharan["note"] and any(kharan["note"] in f["properties"]["_tip"] for f in drawn)
    tips = [f["properties"]["_tip"] for f in geojson_layers(html)[layer_control(html)["Group areas"]]["features"]]
    assert any("Kech district (PAK ADM2: Kech)" in t for t in tips)
    assert any("Chagai district (PAK ADM2: Chagai)" in t for t in tips)


def test_the_parent_province_decides_between_same_named_districts(env, monkeypatch):
    geoboundaries.fetch("PAK", "ADM2", allow_http=True)
    releases = geoboundaries.cached("ADM2")
    boundaries = load_boundaries()
    districts = events.load_districts()
    matched, unmatched = geoboundaries.match_districts(districts, releases, boundaries.admin1)
    kech = matched["PK-BA:kech"][0]
    assert boundaries.admin1.set_index("code").loc["PK-BA"].geometry.contains(kech.representative_point())
    # only Pakistan's release is cached: Awaran's name is not in it, and no other country's district can match
    assert unmatched == ["PK-BA:awaran"] + [d for d in districts if not d.startswith("PK-")]


@pytest.mark.parametrize("ours, theirs", [
    ("PK-BA:chagai", "Chaghi"), ("PK-BA:chagai", "Chagai"), ("PK-BA:kech", "Turbat"), ("PK-BA:kech", "Kech"),
    ("PK-BA:nushki", "Noshki"), ("PK-BA:nushki", "Nushki"), ("PK-BA:washuk", "Washuk"),
    ("PK-KP:chitral", "Lower Chitral"), ("PK-BA:gwadar", "Gwādar"),
])
def test_each_alias_matches(ours, theirs):
    d = events.load_districts()[ours]
    assert geoboundaries.normalise(theirs) in {geoboundaries.normalise(n) for n in (d.name, *d.aliases)}


@pytest.mark.parametrize("args, message", [
    (["--country", "PAK", "--sha256", "0" * 64], "checksum mismatch: sha256"),
    (["--country", "AFG"], "truncated download"),
    (["--country", "IRN"], "lacks geoBoundaries fields: shapeName"),
    (["--country", "IRN", "--level", "ADM3"], "the server answered HTTP 404"),
])
def test_failed_fetches_leave_the_cache_unchanged(cli, env, args, message):
    assert cli("data", "fetch", "--allow-http").returncode == 0
    before = {p.name: p.read_bytes() for p in env.iterdir()}
    proc = cli("data", "fetch", "--allow-http", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in env.iterdir()} == before  # no temp files, nothing changed


def test_no_network(cli, tmp_path, monkeypatch, default_map):
    import socket
    with socket.socket() as s:  # a port on this machine with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = tmp_path / "cache"
    monkeypatch.setenv(geoboundaries.API_ENV, f"http://127.0.0.1:{port}/api")
    monkeypatch.setenv(settings.CACHE_ENV, str(cache))
    proc = cli("data", "fetch", "--allow-http")
    assert proc.returncode == 2 and "cannot reach the server" in proc.stderr
    assert "Builds keep working" in proc.stderr
    assert not cache.exists() or _cache_listing(cache) == []
    assert cli("build", "--out", str(tmp_path / "out")).returncode == 0  # builds are unaffected:
    assert (tmp_path / "out" / "border-region.html").read_bytes() == default_map.read_bytes()  # the same map


def test_a_corrupt_cache_is_reported(env, tmp_path):
    path = geoboundaries.fetch("PAK", "ADM2", allow_http=True)
    path.write_text("{}")
    with pytest.raises(SourceError, match="cached file is missing or corrupt"):
        geoboundaries.cached("ADM2")


def test_a_changed_release_file_is_refused(env, monkeypatch):
    geoboundaries.fetch("PAK", "ADM2", allow_http=True)
    monkeypatch.setattr(Handler, "do_GET", _serve_modified(Handler.do_GET))
    with pytest.raises(geoboundaries.FetchError, match="checksum mismatch"):
        geoboundaries.fetch("PAK", "ADM2", allow_http=True)  # same boundaryID and buildDate, different bytes


def _serve_modified(original):
    def do_GET(self):
        if self.path == "/files/PAK_ADM2.geojson":
            body = FIXTURE.replace(b'"Gwadar"', b'"Gwadr"')
            return self._send(200, body)
        return original(self)
    return do_GET
