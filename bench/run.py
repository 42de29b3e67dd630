"""Benchmark: bordermap against GeoDataFrame.explore() and plain folium, on the same layers.

Usage:  python bench/run.py [--only maps|cli|aggregate|scale] [--sizes 1000,10000,100000] [--tools bordermap,...] [--out bench/RESULTS.md]

For each scenario it measures, side by side in one run:
  build    seconds to produce the HTML (median of 3 runs; 1 run at 100k)
  bytes    size of the HTML file (CDN mode for all three, as a user would get it)
  draw     milliseconds from navigation start to the first frame after the page's
           scripts ran, in headless Chromium (/usr/bin/chromium), with Leaflet loaded
           from the same local files for every page (bordermap --self-contained; the
           others with their CDN Leaflet URLs rewritten to those files)
  heap     the page's used JS heap after drawing (performance.memory)
Scenarios: the default map's layers, then 1k/10k/100k synthetic events (+1k polygons).
No map loads basemap tiles: this machine has no network, and a tile request that cannot
resolve holds a page's load event back by seconds.

The "scale" section (``--only scale``, bench/scale.py) draws events alone at each size against
``explore()``, folium's FastMarkerCluster and lonboard: build CPU and peak memory (a fresh process
each), bytes, first data drawn, filters responding, JS heap, a filter change's repaint and the
frame times of a scripted pan.

The "cli" section (seconds; ``--only cli`` runs it alone) times the installed console
script's start-up: wall time, median of 7 runs in fresh processes, of ``bordermap
--version``, ``--help`` and ``validate`` of a 4-point GeoJSON, against ``python -c pass``
(the interpreter's floor) and ``python -c "import geopandas"`` in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import shapely

from bordermap import assets, build, events, sources
from bordermap import recipe as recipe_mod
from bordermap.recipe import Recipe, layer_spec

CATEGORIES = ["attack", "raid", "border clash", "political event", "diplomatic event", "recruitment"]
ACTORS = ["TTP", "BLA", "BLF", "Jaish ul-Adl", "Fatemiyoun Brigade", "Afghan Taliban"]
CHROMIUM = "/usr/bin/chromium"
DRAW_TIMEOUT_MS = 120_000


# --- the layers both sides draw -------------------------------------------------------------

def default_frames() -> dict[str, gpd.GeoDataFrame]:
    b = sources.load_boundaries()
    records = events.load_events()
    points = events.to_frame(r for r in records if r.lon is not None)
    return {"provinces": b.admin1, "neighbours": b.countries[b.countries["role"] == "neighbour"],
            "borders": b.borders, "former": b.former, "events": points}


def synthetic_events(n: int, folder: Path, seed: int = 7) -> Path:
    """n events in the events schema, at random places inside Pakistan, Afghanistan and Iran."""
    rng = random.Random(seed)
    admin1 = sources.load_boundaries().admin1
    rows = []
    box = (60.0, 24.5, 75.0, 37.5)
    while len(rows) < n:
        batch = gpd.GeoDataFrame(geometry=[shapely.Point(rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]))
                                           for _ in range(max(1000, n - len(rows)))], crs=4326)
        joined = gpd.sjoin(batch, admin1[["code", "geometry"]], predicate="within")
        for geom, code in zip(joined.geometry, joined["code"]):
            if len(rows) >= n:
                break
            i = len(rows)
            day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
            rows.append({"id": f"syn-{i}", "title": f"Synthetic event {i}", "category": rng.choice(CATEGORIES),
                         "date": day.isoformat(), "date_precision": "day", "actors": rng.choice(ACTORS),
                         "location_precision": "town", "admin1": code, "units": "", "place": f"Place {i % 500}",
                         "location_basis": "synthetic benchmark point", "summary": "A synthetic event for the benchmark.",
                         "sources": "Benchmark | synthetic data", "longitude": round(geom.x, 5),
                         "latitude": round(geom.y, 5)})
    path = folder / f"events-{n}.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def synthetic_polygons(n: int, folder: Path, seed: int = 11) -> Path:
    rng = random.Random(seed)
    polys = [shapely.Point(rng.uniform(61, 74), rng.uniform(25, 37)).buffer(rng.uniform(0.02, 0.08), 8)
             for _ in range(n)]
    frame = gpd.GeoDataFrame({"kind": [rng.choice("abcd") for _ in range(n)]}, geometry=polys, crs=4326)
    path = folder / f"polygons-{n}.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


# --- the three ways to make a map -----------------------------------------------------------

def make_explore(frames: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    m = None
    for frame in frames.values():  # no tiles: none can load here, and bordermap's runs have none
        m = frame.explore(m=m) if m is not None else frame.explore(tiles=None)
    m.save(path)


def make_folium(frames: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    m = folium.Map(location=[31, 67], zoom_start=5, tiles=None)
    for name, frame in frames.items():
        folium.GeoJson(frame, name=name).add_to(m)
    m.save(path)


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# --- the browser --------------------------------------------------------------------------------

def localise(html: str) -> str:
    """Point CDN Leaflet at the packaged copy; drop other CDN assets none of these maps need to draw."""
    html = html.replace(assets.LEAFLET_JS, assets.local_file(assets.LEAFLET_JS).as_uri())
    html = html.replace(assets.LEAFLET_CSS, assets.local_file(assets.LEAFLET_CSS).as_uri())
    html = re.sub(r'<script src="https?://[^"]+"></script>', "", html)
    return re.sub(r'<link rel="stylesheet" href="https?://[^"]+"/>', "", html)


def draw(browser, path: Path) -> tuple[float | None, float | None, float | None]:
    """(first frame after the scripts ran, every marker placed, JS heap), in ms, ms, bytes."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=DRAW_TIMEOUT_MS)
        ms = page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
                           "() => r(performance.now()))))")
        # bordermap clusters markers in slices after the first paint and then starts its panel;
        # the others draw synchronously
        page.wait_for_function("() => !window.bordermap || window.bordermap.started === true",
                               timeout=DRAW_TIMEOUT_MS)
        ready = page.evaluate("() => performance.now()") if page.evaluate("() => !!window.bordermap") else ms
        heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")
        drawn = page.evaluate("() => document.querySelectorAll('.leaflet-interactive, .leaflet-marker-icon').length")
        return (ms if drawn else None), (ready if drawn else None), heap
    except Exception as exc:  # a page that never loads is a result, not a crash
        print(f"    {path.name}: did not draw ({type(exc).__name__})", file=sys.stderr)
        return None, None, None
    finally:
        page.close()


# --- command-line start-up ---------------------------------------------------------------------

CLI_RUNS = 7
SITES = Path(__file__).resolve().parent.parent / "tests" / "data" / "layers" / "sites.geojson"


def cli_commands() -> list[tuple[str, list[str]]]:
    """(label, argv): the peers first, then the real console script next to this interpreter."""
    exe = str(Path(sys.executable).with_name("bordermap"))
    return [("python -c pass", [sys.executable, "-c", "pass"]),
            ('python -c "import geopandas"', [sys.executable, "-c", "import geopandas"]),
            ("bordermap --version", [exe, "--version"]),
            ("bordermap --help", [exe, "--help"]),
            ("bordermap validate sites.geojson", [exe, "validate", str(SITES)])]


def cli_startup(runs: int = CLI_RUNS) -> list[dict]:
    """Median wall time of each command; the commands take turns, so drift in load hits all alike."""
    commands = cli_commands()
    times: dict[str, list[float]] = {label: [] for label, _ in commands}
    for _ in range(runs):
        for label, argv in commands:
            t = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[label].append(time.perf_counter() - t)
    out = [{"command": label, "median_s": statistics.median(ts), "min_s": min(ts)} for label, ts in times.items()]
    for r in out:
        print(f"  {r['command']:34} median {r['median_s']:6.3f} s  min {r['min_s']:6.3f} s", file=sys.stderr)
    return out


# --- scenarios ----------------------------------------------------------------------------------

def scenario(name: str, work: Path, browser, frames, recipe, *, layers=(), events_files=(), repeat=3) -> list[dict]:
    out = []
    html = work / f"{name}-bordermap.html"
    local = work / f"{name}-bordermap-local.html"

    def ours():
        (_,) = build(recipe, work / "b", layers=layers, events_files=events_files, self_contained=False)

    seconds = timed(ours, repeat)
    (built,) = build(recipe, work / "b", layers=layers, events_files=events_files, self_contained=False)
    built.replace(html)
    (sc,) = build(recipe, work / "sc", layers=layers, events_files=events_files, self_contained=True)
    sc.replace(local)
    runs = [("bordermap", seconds, html, local)]
    for label, maker in (("explore()", make_explore), ("folium GeoJson", make_folium)):
        path = work / f"{name}-{label.split('(')[0].split()[0]}.html"
        secs = timed(lambda: maker(frames, path), repeat)
        localised = path.with_name(path.stem + "-local.html")
        localised.write_text(localise(path.read_text(encoding="utf-8")), encoding="utf-8")
        runs.append((label, secs, path, localised))
    for label, secs, path, local_path in runs:
        ms, ready, heap = draw(browser, local_path)
        out.append({"scenario": name, "tool": label, "build_s": secs, "bytes": path.stat().st_size,
                    "draw_ms": ms, "ready_ms": ready, "heap_mb": heap / 1e6 if heap else None})
        print(f"  {name:14} {label:15} build {secs:6.2f} s  {path.stat().st_size / 1e6:7.2f} MB  "
              f"draw {'—' if ms is None else f'{ms:8.0f} ms'}  ready {'—' if ready is None else f'{ready:8.0f} ms'}",
              file=sys.stderr)
    return out


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    versions = {p: __import__(p).__version__ for p in ("geopandas", "folium", "shapely")}
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB RAM; Python {platform.python_version()}; {chromium}; "
            + ", ".join(f"{k} {v}" for k, v in versions.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("maps", "cli", "aggregate", "scale"), default=None,
                        help="run one section (default: maps and cli)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the aggregate section's export")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--tools", default=None, help="scale section: the tools to run, comma-separated "
                                                      "(default: all; rows of others are kept from earlier runs)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    if args.only == "aggregate":
        write_aggregate_results(aggregate_bench(args.rows), args.out)
        return
    if args.only == "scale":
        from scale import run_scale  # bench/scale.py: events only, against explore(), FastMarkerCluster, lonboard

        run_scale([int(s) for s in args.sizes.split(",")], args.out,
                  args.tools.split(",") if args.tools else None)
        return
    if args.only != "maps":
        write_cli_results(cli_startup(), args.out)
    if args.only != "cli":
        run_maps(args)


def run_maps(args: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        work = Path(tmp)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--enable-precise-memory-info"])
        frames = default_frames()
        default = recipe_mod.find(None)
        results += scenario("default map", work, browser, frames, dataclasses.replace(default, basemap=False))
        polygons = synthetic_polygons(1000, work)
        for n in (int(s) for s in args.sizes.split(",")):
            csv = synthetic_events(n, work)
            recipe = Recipe(name=f"events-{n}", title=f"{n} synthetic events", include=("provinces", "borders"),
                            basemap=False)
            spec = layer_spec({"path": str(polygons), "name": "polygons"})
            pts = gpd.read_file(csv, engine="pyogrio", X_POSSIBLE_NAMES="longitude", Y_POSSIBLE_NAMES="latitude")
            pts = pts.set_crs(4326, allow_override=True)
            scale_frames = {"provinces": frames["provinces"], "borders": frames["borders"],
                            "polygons": gpd.read_file(polygons), "events": pts}
            results += scenario(f"{n:,} events", work, browser, scale_frames, recipe, layers=[spec],
                                events_files=[csv], repeat=1 if n >= 100_000 else 3)
        browser.close()
    write_results(results, args.out)


START, END = "<!-- results:start -->", "<!-- results:end -->"
CLI_START, CLI_END = "<!-- cli:start -->", "<!-- cli:end -->"


def write_results(results: list[dict], out: Path) -> None:
    """Replace the measured table between the markers in RESULTS.md; keep the prose around it."""
    lines = [START, f"Run {dt.date.today().isoformat()} with `python bench/run.py` on: {machine()}.", "",
             "| scenario | tool | build (s) | HTML (MB) | HTML vs explore() | first frame (ms) | all markers placed (ms) "
             "| JS heap (MB) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    explore_bytes = {r["scenario"]: r["bytes"] for r in results if r["tool"] == "explore()"}
    for r in results:
        ratio = r["bytes"] / explore_bytes[r["scenario"]]
        draw_ms = "did not draw in 120 s" if r["draw_ms"] is None else f"{r['draw_ms']:.0f}"
        ready_ms = "—" if r["ready_ms"] is None else f"{r['ready_ms']:.0f}"
        heap = "—" if r["heap_mb"] is None else f"{r['heap_mb']:.0f}"
        lines.append(f"| {r['scenario']} | {r['tool']} | {r['build_s']:.2f} | {r['bytes'] / 1e6:.2f} | "
                     f"{ratio:.0%} | {draw_ms} | {ready_ms} | {heap} |")
    lines.append(END)
    replace_between(out, START, END, "\n".join(lines))


def write_cli_results(results: list[dict], out: Path) -> None:
    """Replace the start-up table between its markers; a file without them gets a "CLI start-up" section."""
    floor = next(r["median_s"] for r in results if r["command"] == "python -c pass")
    geo = next(r["median_s"] for r in results if "geopandas" in r["command"])
    lines = [CLI_START, f"Run {dt.date.today().isoformat()} with `python bench/run.py --only cli` on: {machine()}.",
             f"Wall time of a fresh process, median of {CLI_RUNS} runs (the commands take turns).", "",
             "| command | median (s) | fastest (s) | × `python -c pass` | × `import geopandas` |",
             "|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| `{r['command']}` | {r['median_s']:.3f} | {r['min_s']:.3f} | "
                     f"{r['median_s'] / floor:.1f} | {r['median_s'] / geo:.2f} |")
    lines.append(CLI_END)
    replace_between(out, CLI_START, CLI_END, "\n".join(lines), heading="## CLI start-up")


def replace_between(out: Path, start: str, end: str, table: str, heading: str = "") -> None:
    """Put ``table`` (which begins with ``start`` and ends with ``end``) in place of the old one in ``out``."""
    text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmark results\n"
    if start not in text:
        section = f"{heading}\n\n" if heading else ""
        text = text.rstrip("\n") + f"\n\n{section}{start}\n{end}\n"
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    out.write_text(before + table + after, encoding="utf-8")
    print(table)


AGG_START, AGG_END = "<!-- aggregate:start -->", "<!-- aggregate:end -->"


def synthetic_acled(n: int, path: Path, seed: int = 5) -> Path:
    """An ACLED-layout CSV of ``n`` rows in Pakistan and Afghanistan: points inside the embedded provinces, each
    row naming its own province, a fifth known only to the province, 5% repeated as a monadic export does."""
    import numpy as np
    import pandas as pd
    import shapely

    admin1 = sources.load_boundaries().admin1
    admin1 = admin1[admin1["adm0_a3"].isin(["PAK", "AFG"])].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    lon, lat, unit = [], [], []
    tree = shapely.STRtree(admin1.geometry.values)
    while sum(map(len, lon)) < n:  # points around the border, kept where they fall in a province
        x, y = np.round(rng.normal(67.5, 3.0, n), 4), np.round(rng.normal(31.0, 3.0, n), 4)
        hit_point, hit_unit = tree.query(shapely.points(x, y), predicate="within")
        hit_point, first = np.unique(hit_point, return_index=True)
        lon.append(x[hit_point]), lat.append(y[hit_point]), unit.append(hit_unit[first])
    lon, lat, unit = (np.concatenate(a)[:n] for a in (lon, lat, unit))
    columns = ("event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1 "
               "assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region country "
               "admin1 admin2 admin3 location latitude longitude geo_precision source source_scale notes "
               "fatalities tags timestamp").split()
    frame = pd.DataFrame({c: "" for c in columns}, index=range(n))
    ids = np.arange(n)
    ids[rng.random(n) < 0.05] -= 1  # a monadic export: the same event on the row before, once per actor
    frame["event_id_cnty"] = [f"PAK{max(i, 0)}" for i in ids]
    frame["event_date"], frame["time_precision"], frame["event_type"] = "2023-03-15", "1", "Battles"
    frame["country"] = np.where(admin1["adm0_a3"].to_numpy()[unit] == "PAK", "Pakistan", "Afghanistan")
    frame["admin1"] = admin1["name"].to_numpy()[unit]
    frame["longitude"], frame["latitude"] = lon, lat
    frame["geo_precision"] = rng.choice(["1", "1", "1", "2", "3"], n)
    frame["fatalities"] = rng.integers(0, 6, n)
    frame.to_csv(path, index=False)
    return path


def aggregate_bench(rows: int) -> list[dict]:
    """Seconds to aggregate an ACLED export of ``rows`` rows from its CSV (DuckDB read + group), by each level;
    districts are the map's own (the embedded Pakistan districts unless more are cached)."""
    import tempfile

    from bordermap import aggregate, conflictdata, geoboundaries, sources
    from bordermap.build import district_units
    from bordermap.recipe import AggregateSpec

    admin1 = sources.load_boundaries().admin1
    aliases = conflictdata.load_aliases()
    releases = geoboundaries.cached("ADM2")
    if not any(r.country == "PAK" for r in releases):  # as the build does
        releases.append(geoboundaries.embedded())
    districts = district_units(releases)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        path = synthetic_acled(rows, Path(tmp) / "acled.csv")
        for level in ("province", "district", "hexagon"):
            load = os.getloadavg()[0]
            t, cpu = time.perf_counter(), time.process_time()
            result = aggregate.from_csv(path, AggregateSpec(level=level), admin1, districts, aliases)
            out.append({"level": level, "rows": rows, "seconds": time.perf_counter() - t,
                        "cpu": time.process_time() - cpu, "load": load,
                        "units": len(result.units), "events": int(result.units["count"].sum()),
                        "unplaced": sum(result.unplaced.values()), "notes": "; ".join(result.notes())})
    return out


def write_aggregate_results(results: list[dict], out: Path) -> None:
    lines = [AGG_START, f"Run {dt.date.today().isoformat()} with `python bench/run.py --only aggregate` on: "
                        f"{machine()}.", "An ACLED-layout CSV, aggregated from the file by `aggregate.from_csv` "
                        "(DuckDB reads and groups; points to units by STRtree or hexagon arithmetic).", "",
             "Wall seconds, CPU seconds of the process (all its threads) and the machine's load average when the "
             "level began: the machine is shared, so wall time grows with the load while CPU time does not.", "",
             "| level | rows | wall (s) | CPU (s) | load | units | events counted | events not placed at the level "
             "(the layer's notes) |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {r['level']} | {r['rows']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {r['load']:.1f} | "
              f"{r['units']} | {r['events']:,} | {r['unplaced']:,}: {r['notes'] or 'none'} |" for r in results]
    lines.append(AGG_END)
    replace_between(out, AGG_START, AGG_END, "\n".join(lines), heading="## Aggregating a large export")


if __name__ == "__main__":
    main()
