"""The "scale" section of bench/run.py: N events alone, bordermap against explore(), folium FastMarkerCluster
and lonboard, each built in a fresh process and drawn in headless Chromium from file:// with no network.

Events: N points uniform in a box over Balochistan (62-69 E, 25.5-30.5 N), six categories, two actors,
random days of 2022, in bordermap's events schema (a CSV); the peers draw the same points from it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from run import CHROMIUM, localise, machine, replace_between

START, END = "<!-- scale:start -->", "<!-- scale:end -->"
TIMEOUT_MS = 60_000
CATEGORIES = ["attack", "raid", "border clash", "political event", "diplomatic event", "recruitment"]


def events_csv(n: int, folder: Path, seed: int = 18) -> Path:
    """n events in the events schema, made column-wise."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    frame = pd.DataFrame({
        "id": np.char.add("ev-", i.astype(str)), "title": np.char.add("Event ", i.astype(str)),
        "category": rng.choice(CATEGORIES, n),
        "date": (np.datetime64("2022-01-01") + rng.integers(0, 365, n)).astype(str), "date_precision": "day",
        "actors": rng.choice(["TTP", "BLA"], n), "location_precision": "town", "admin1": "PK-BA", "units": "",
        "place": np.char.add("Place ", (i % 500).astype(str)), "location_basis": "benchmark point",
        "summary": "A benchmark event.", "sources": "Benchmark | synthetic data",
        "longitude": np.round(rng.uniform(62.0, 69.0, n), 5), "latitude": np.round(rng.uniform(25.5, 30.5, n), 5)})
    path = folder / f"events-{n}.csv"
    frame.to_csv(path, index=False)
    return path


# each maker runs in a fresh interpreter and prints {"cpu": s, "peak_mb": MB} of its own build
PRELUDE = """
import json, resource, sys, time
csv, out = sys.argv[1], sys.argv[2]
"""
POINTS = """
import geopandas as gpd, pandas as pd
f = pd.read_csv(csv)
points = gpd.GeoDataFrame(f, geometry=gpd.points_from_xy(f.longitude, f.latitude), crs=4326)
"""
MAKERS = {
    "bordermap": """
from pathlib import Path
from bordermap import build
from bordermap.recipe import Recipe
t = time.process_time()
(page,) = build(Recipe(name="scale", title="scale", include=("provinces",), basemap=False), Path(out).parent,
                events_files=[Path(csv)], self_contained=True)
Path(page).replace(out)
""",
    "explore()": POINTS + """
t = time.process_time()
points.explore(tiles=None).save(out)
""",
    "folium FastMarkerCluster": POINTS + """
import folium
from folium.plugins import FastMarkerCluster
t = time.process_time()
m = folium.Map(location=[28, 65.5], zoom_start=6, tiles=None)
m.options["maxZoom"] = 18  # markercluster needs it, and without tiles folium sets none
# plain Leaflet markers: the default callback needs Leaflet.awesome-markers from a CDN
FastMarkerCluster(list(zip(points.latitude, points.longitude)),
                  callback="function (row) { return L.marker(new L.LatLng(row[0], row[1])); }").add_to(m)
m.save(out)
""",
    "lonboard": POINTS + """
import lonboard
t = time.process_time()
lonboard.Map(lonboard.ScatterplotLayer.from_geopandas(points[["category", "geometry"]], get_radius=300)).to_html(out)
""",
}
EPILOGUE = """
print(json.dumps({"cpu": time.process_time() - t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


#: A build that takes longer than this is stopped and recorded as giving no page.
BUILD_TIMEOUT_S = 900


def make(tool: str, csv: Path, out: Path) -> dict:
    """{"cpu", "peak_mb"} of the tool's build, or {"note": why there is no page}."""
    code = PRELUDE + MAKERS[tool] + EPILOGUE
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(csv), str(out)], capture_output=True, text=True,
                              timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"note": f"the build did not finish in {BUILD_TIMEOUT_S} s"}
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
        return {"note": f"the build failed ({last[:160]})"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


DRAWN = """() => { const bm = window.bordermap;
  if (bm && bm.layers) { return Object.values(bm.layers).some(e => e.group.drawn > 0) ||
                                !!document.querySelector('.leaflet-marker-icon'); }
  if (document.querySelector('.leaflet-marker-icon, path.leaflet-interactive')) { return true; }
  const c = document.querySelector('canvas');
  return !!(c && c.width > 0); }"""
PAN = """async () => {
  const map = (window.bordermap && window.bordermap.map) || Object.values(window).find(v => v && v instanceof L.Map);
  const times = []; let last = performance.now();
  for (let i = 0; i < 30; i++) {
    map.panBy([i % 10 < 5 ? 60 : -60, 0], {animate: false});
    await new Promise(r => requestAnimationFrame(r));
    const now = performance.now(); times.push(now - last); last = now;
  }
  return times; }"""
FILTER = """async () => {
  const t = performance.now(), box = document.querySelector('#bm-facets input');
  box.click();
  const g = Object.values(window.bordermap.layers)[0].group;
  while (g._pending) { await new Promise(r => requestAnimationFrame(r)); }
  await new Promise(r => requestAnimationFrame(r));
  return performance.now() - t; }"""


def offline_cluster(html: str) -> str:
    """folium's Leaflet.markercluster (a CDN URL) -> the copy bordermap packages (its pinned version)."""
    from bordermap import assets

    for url, local in ((assets.MARKERCLUSTER_JS, assets.MARKERCLUSTER_JS),
                       *zip(assets.MARKERCLUSTER_CSS, assets.MARKERCLUSTER_CSS)):
        name = url.rsplit("/", 1)[1]
        html = re.sub(r'(src|href)="https://cdnjs\.cloudflare\.com/ajax/libs/leaflet\.markercluster/[0-9.]+/' + name + '"',
                      lambda m: f'{m.group(1)}="{assets.local_file(local).as_uri()}"', html)
    return html


def draw(browser, tool: str, path: Path, pan: bool) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    out: dict = {"drawn_ms": None, "ready_ms": None, "heap_mb": None, "filter_ms": None, "pan_ms": None}
    try:
        page.goto(path.as_uri(), wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        page.wait_for_function(DRAWN, polling="raf", timeout=TIMEOUT_MS)
        # bordermap's canvas layer notes the frame that first shows data: the page goes on building its panel
        # in slices, and this poll's answer waits for a free moment of the page
        out["drawn_ms"] = page.evaluate("() => (window.bordermap && window.bordermap.drawnAt) || performance.now()")
        if tool == "bordermap":
            page.wait_for_function("() => window.bordermap.started === true", timeout=TIMEOUT_MS)
            out["ready_ms"] = page.evaluate("() => performance.now()")
        out["heap_mb"] = page.evaluate("() => performance.memory.usedJSHeapSize / 1e6")
        if tool == "bordermap":
            out["filter_ms"] = page.evaluate(FILTER)
            page.evaluate("() => document.querySelector('#bm-facets input').click()")
        if pan:
            frames = page.evaluate(PAN)
            out["pan_ms"] = (statistics.median(frames), max(frames))
    except Exception as exc:  # a page that never draws is a result
        out["note"] = f"the page stopped drawing ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
        print(f"    {tool} {path.name}: {out['note']}", file=sys.stderr)
    finally:
        page.close()
    return out


def run_scale(sizes: list[int], out: Path, tools: list[str] | None = None) -> None:
    """Measure each tool at each size; rows measured earlier at other sizes or by other tools are kept (in
    scale.json beside ``out``), so that the slow sizes can be run on their own."""
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        work = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--enable-precise-memory-info"])
        for n in sizes:
            csv = events_csv(n, work)
            for tool in tools or MAKERS:
                html = work / f"{n}-{tool.split()[0].strip('()')}.html"
                built = make(tool, csv, html)
                row = {"n": n, "tool": tool, "cpu": None, "peak_mb": None, "bytes": None, "note": built.get("note")}
                if "cpu" in built:
                    row.update(cpu=built["cpu"], peak_mb=built["peak_mb"], bytes=html.stat().st_size)
                    local = html  # bordermap's page is self-contained (and its CSP pins its inline scripts)
                    if tool != "bordermap":
                        local = html.with_name(html.stem + "-local.html")
                        local.write_text(localise(offline_cluster(html.read_text(encoding="utf-8"))),
                                         encoding="utf-8")
                    row.update(draw(browser, tool, local, pan=n == 100_000))
                    html.unlink()
                    local.unlink(missing_ok=True)
                rows.append(row)
                print(f"  {n:>9,} {tool:26} {row}", file=sys.stderr)
            csv.unlink()
        browser.close()
    write_scale(_merged(out.with_name("scale.json"), rows), out)


def _merged(store: Path, rows: list[dict]) -> list[dict]:
    """This run's rows over those kept from earlier runs, by size, then in MAKERS' order."""
    kept = {(r["n"], r["tool"]): r for r in (json.loads(store.read_text()) if store.exists() else [])}
    kept.update({(r["n"], r["tool"]): r for r in rows})
    order = list(MAKERS)
    merged = sorted(kept.values(), key=lambda r: (r["n"], order.index(r["tool"]) if r["tool"] in order else 99))
    store.write_text(json.dumps(merged, indent=1) + "\n")
    return merged


def _f(value, fmt="{:.0f}", none="—"):
    return none if value is None else fmt.format(value)


def write_scale(rows: list[dict], out: Path) -> None:
    lines = [START, f"Run {dt.date.today().isoformat()} with `python bench/run.py --only scale` on: {machine()}.",
             "Each page built in a fresh process (CPU and peak memory of that process), drawn from file:// with no "
             "network; — : not measured or not reached (see the notes below the table).", "",
             "| events | tool | build CPU (s) | peak memory (MB) | page (MB) | first data drawn (ms) "
             "| filters respond (ms) | JS heap (MB) | filter change repaints (ms) | pan frames, median / max (ms) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    notes: list[str] = []
    for r in rows:
        pan = "—" if not r.get("pan_ms") else f"{r['pan_ms'][0]:.0f} / {r['pan_ms'][1]:.0f}"
        drawn = _f(r.get("drawn_ms")) if r["bytes"] else "no page"
        drawn += f" ({len(notes) + 1})" if r.get("note") else ""
        notes += [f"({len(notes) + 1}) {r['n']:,} events, {r['tool']}: {r['note']}."] if r.get("note") else []
        lines.append(f"| {r['n']:,} | {r['tool']} | {_f(r['cpu'], '{:.1f}')} | {_f(r['peak_mb'])} | "
                     f"{_f(r['bytes'] and r['bytes'] / 1e6, '{:.2f}')} | {drawn} | {_f(r.get('ready_ms'))} | "
                     f"{_f(r.get('heap_mb'))} | {_f(r.get('filter_ms'))} | {pan} |")
    lines += ["", *notes] if notes else []
    lines.append(END)
    replace_between(out, START, END, "\n".join(lines), heading="## Scale: events alone, 1k to 1M")
