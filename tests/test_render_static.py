"""Static exports: valid files in every format, the same story as the HTML, placed labels, same bytes."""

import ast
import calendar
import inspect
import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import shapely  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from pyproj import Transformer  # noqa: E402

from bordermap import events, layers as layers_mod, render_static, sources  # noqa: E402
from bordermap.build import FIGURE_DPI, FIGURE_SIZE, _assemble, export, static_figure  # noqa: E402
from bordermap.errors import RecipeError  # noqa: E402
from bordermap.recipe import Recipe  # noqa: E402

from .conftest import DATA, legend_labels  # noqa: E402

REFERENCE = DATA / "reference" / "border-region-900x675.png"
SIZE, DPI = (900, 675), 100  # the reference image's


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The default recipe exported at the reference image's size, once per format for this module."""
    out, made = tmp_path_factory.mktemp("exported"), {}

    def _export(fmt: str):
        if fmt not in made:
            (made[fmt],) = export(None, out, fmt=fmt, size=SIZE, dpi=DPI)
        return made[fmt]
    return _export


@pytest.fixture(scope="module")
def figure():
    """The default recipe's figure at the default size, as ``bordermap export`` draws it."""
    return static_figure(_assemble(None, (), (), None))  # not registered with pyplot


@pytest.fixture(scope="module")
def border_figure():
    return static_figure(_assemble("pak-afghan-border", (), (), None))


def _figure_of(tmp_path, toml: str):
    path = tmp_path / "r.toml"
    path.write_text(toml, encoding="utf-8")
    return static_figure(_assemble(path, (), (), None))


def _texts(figure) -> list[str]:
    """The placed labels' texts, a name broken onto two lines read as one."""
    return [label.get_text().replace("\n", " ") for label in figure.labels]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["figure", "border_figure"])
def test_a_name_is_shown_once(which, request):
    """A district named after its town, or an event labelled with its town's name, is named once, as on the page."""
    texts = _texts(request.getfixturevalue(which))
    assert texts and sorted(t for t in set(texts) if texts.count(t) > 1) == []


def test_png_has_the_requested_size(exported):
    path = exported("png")
    assert path.name == "border-region.png"
    image = mpimg.imread(path)
    assert image.shape[:2] == (SIZE[1], SIZE[0])


@pytest.mark.slow
def test_svg_parses(tmp_path):
    (path,) = export("baloch-insurgency", tmp_path, fmt="svg", size=(900, 675), dpi=100)
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg") and root.get("width") == "648pt"  # 900 px at 100 dpi = 9 in
    assert not re.search(rb"<dc:date>|Matplotlib v", path.read_bytes())


@pytest.mark.slow
def test_pdf_has_one_page(tmp_path):
    (path,) = export("pak-afghan-border", tmp_path, fmt="pdf", size=(900, 675), dpi=100)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1
    assert b"/CreationDate" not in data and b"/Producer" not in data


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "svg"])  # pdf: test_cli_export_and_build_export
def test_same_inputs_same_bytes(exported, tmp_path, fmt):
    (again,) = export(None, tmp_path, fmt=fmt, size=SIZE, dpi=DPI)
    assert again.read_bytes() == exported(fmt).read_bytes()


@pytest.mark.slow
def test_labels_stay_inside_the_frame_and_apart(figure):
    renderer = figure.figure.canvas.get_renderer()
    frame = figure.map_axes.get_window_extent(renderer)
    boxes = [label.get_window_extent(renderer) for label in figure.labels]
    texts = _texts(figure)
    for text, box in zip(texts, boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i], texts[j])
    for name in ("PAKISTAN", "AFGHANISTAN", "Balochistan", "Sistan and Baluchestan", "Khyber Pakhtunkhwa",
                 "Quetta", "Chaman", "Gwadar", "Turbat", "Dalbandin", "Chitral", "Torkham", "Kabul", "Zahedan"):
        assert name in texts, name


def _window_segments(figure) -> list:
    """The border lines as drawn, in window pixels."""
    to_window = figure.map_axes.transData.transform
    return [shapely.LineString(to_window(line.get_xydata())) for line in figure.border_lines]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["figure", "border_figure"])
def test_labels_keep_off_symbols_borders_and_the_scale_bar(which, request):
    figure = request.getfixturevalue(which)
    renderer = figure.figure.canvas.get_renderer()
    frame = figure.map_axes.get_window_extent(renderer)
    borders = [s for s in _window_segments(figure) if s.intersects(shapely.box(*frame.extents))]
    assert borders, "the frame shows borders"
    symbols = [s.get_window_extent(renderer) for s in figure.symbols]
    furniture = [a.get_window_extent(renderer) for a in figure.furniture]
    assert len(furniture) == 7  # the scale bar's two blocks, three numbers and unit, and the north arrow
    for label in figure.labels:
        box = label.get_window_extent(renderer)
        text = label.get_text()
        assert not any(box.overlaps(s) for s in symbols), text
        assert not any(box.overlaps(f) for f in furniture), text
        assert not any(shapely.box(*box.extents).intersects(s) for s in borders), text
    # the scale bar itself stands clear of the borders and the symbols
    bar = furniture[:6]
    for part in bar:
        assert not any(shapely.box(*part.extents).intersects(s) for s in borders)
        assert not any(part.overlaps(s) for s in symbols)


@pytest.mark.slow
def test_symbols_at_one_place_stand_side_by_side_the_attack_on_top(figure):
    renderer = figure.figure.canvas.get_renderer()
    attack, _ = layers_mod.CATEGORY_SYMBOLS["attack"]
    by_place: dict = {}
    for symbol in figure.symbols:
        if symbol.get_marker() != "o" or symbol.get_markerfacecolor() != "none":  # district rings nest by design
            by_place.setdefault(tuple(np.round(symbol.get_xydata()[0])), []).append(symbol)
    shared = {place: group for place, group in by_place.items() if len(group) > 1}
    records = {r.id: r for r in events.load_events()}
    to_map = Transformer.from_crs(4326, figure.crs, always_xy=True)
    places = {name: tuple(np.round(to_map.transform(records[rid].lon, records[rid].lat)))
              for name, rid in (("Quetta", "serena-hotel-bombing-2021"), ("Chaman", "chaman-crossing"))}
    for name, place in places.items():
        assert len(shared[place]) >= 2, name
    for group in shared.values():
        boxes = [s.get_window_extent(renderer) for s in group]
        for i, a in enumerate(boxes):
            assert not any(a.overlaps(b) for b in boxes[i + 1:])
    quetta = shared[places["Quetta"]]
    top = max(quetta, key=lambda s: s.get_zorder())
    assert (top.get_marker(), to_hex(top.get_markerfacecolor())) == ("^", to_hex(attack))


@pytest.mark.slow
def test_the_legend_lists_only_what_the_frame_shows(tmp_path):
    bounds = (66.0, 29.9, 67.6, 31.1)  # Quetta and Chaman
    small = _figure_of(tmp_path, f'title = "Quetta and Chaman"\nbounds = {list(bounds)}\n')
    labels = _legend_texts(small)
    inside = shapely.box(*bounds)
    points = [r for r in events.load_events() if r.lon is not None]
    shown = {r.category for r in points if inside.contains(shapely.Point(r.lon, r.lat))}
    away = {r.category for r in points} - shown
    assert shown and away
    for category in shown:
        assert category.capitalize() in labels, category
    for category in away:
        assert category.capitalize() not in labels, category
    assert "Pakistan–Afghanistan and Pakistan–Iran borders" in labels  # the Durand Line at Chaman
    far = [r for r in events.load_events() if r.kind == "area" and set(r.units) <= {"AF-KNR", "AF-NUR", "AF-BDS"}]
    assert far and not any(label.endswith(r.title) for r in far for label in labels)
    whole = _legend_texts(static_figure(_assemble(None, (), (), None)))
    assert set(labels) < set(whole)


def _legend_texts(figure) -> list[str]:
    legends = [a for a in figure.legend_axes.get_children() if isinstance(a, matplotlib.legend.Legend)]
    return [t.get_text().replace("\n", " ") for legend in legends for t in legend.get_texts()]


@pytest.mark.slow
def test_no_text_is_smaller_than_7_points(figure):
    assert (FIGURE_SIZE, FIGURE_DPI) == ((1800, 1350), 200)  # the default size this test is about
    texts = [t for t in figure.figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 40
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 7]
    assert not small


@pytest.mark.slow
def test_the_legend_fits_between_the_inset_and_the_footer(figure):
    renderer = figure.figure.canvas.get_renderer()
    legends = [a for a in figure.legend_axes.get_children() if isinstance(a, matplotlib.legend.Legend)]
    page = figure.figure.bbox
    footer = figure.footer.get_window_extent(renderer)
    inset = figure.inset_axes.get_window_extent(renderer)
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1
        assert not box.overlaps(footer) and not box.overlaps(inset)
    assert not figure.map_axes.get_window_extent(renderer).overlaps(footer)


@pytest.mark.slow
def test_svg_keeps_text_as_text(exported):
    root = ET.parse(exported("svg")).getroot()
    texts = [el for el in root.iter() if el.tag.endswith("}text")]
    words = " ".join("".join(el.itertext()) for el in texts)
    assert "The Pakistan–Afghanistan–Iran border region" in words
    figure = static_figure(_assemble(None, (), (), None), size=SIZE, dpi=DPI)
    for label in _legend_texts(figure):
        for line in label.split(" "):
            assert line in words, label
    styles = {el.get("style", "") for el in texts}
    assert all("font-family: 'DejaVu Sans', sans-serif" in s or "font: " in s and "'DejaVu Sans'" in s
               for s in styles), styles
    lines = [t.get_text() for t in figure.labels + figure.furniture if isinstance(t, Text)]
    assert len(lines) > 30
    for text in lines:  # map labels too, though they have a halo
        for line in text.split("\n"):
            assert line in words, line


@pytest.mark.slow
def test_the_footer_names_the_articles_and_the_data_sources(figure):
    footer = figure.footer.get_text().replace("\n", " ")
    records = events.load_events()
    articles = {s.text() for r in records for s in r.sources if not s.via}
    assert len(articles) == 2
    for article in articles:
        assert article in footer, article
    assert "popup" not in footer
    for credit in ("Natural Earth 1:10m admin-1 (public domain)", "GeoNames (CC BY 4.0)",
                   sources.load_relief().credit):
        assert credit in footer, credit


@pytest.mark.slow
def test_event_labels_from_the_recipe(tmp_path):
    chosen = _figure_of(tmp_path, 'title = "t"\nfocus = ["PK-BA"]\n'
                                  '[label_events]\nserena-hotel-bombing-2021 = "Serena Hotel bombing, Apr 2021"\n')
    assert "Serena Hotel bombing, Apr 2021" in _texts(chosen)
    every = _figure_of(tmp_path, 'title = "t"\nfocus = ["PK-BA", "IR-13", "PK-KP", "AFG"]\nlabel_events = true\n')
    records = [r for r in events.load_events() if r.kind == "event" and r.date_precision in ("day", "month")]
    expected = [f"{r.title}, {calendar.month_abbr[int(r.date[5:7])]} {r.date[:4]}" for r in records]
    placed = [t.replace("\u00a0", " ") for t in _texts(every)]
    dropped = [t.replace("\u00a0", " ") for t in every.dropped]
    assert set(expected) <= set(placed) | set(dropped)
    assert sum(e in placed for e in expected) >= len(expected) // 2, (expected, dropped)
    attack = next(r for r in records if r.category == "attack")
    assert expected[records.index(attack)] in placed  # the attack's label is placed first


def test_unknown_event_ids_are_all_reported(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('title = "t"\nlabel_events = ["serena-hotel-bombing-2021", "no-such-event", "chaman-clash"]\n')
    with pytest.raises(RecipeError) as info:
        _assemble(path, (), (), None)
    assert [(p.key, p.path) for p in info.value.problems] == [("label_events", path)] * 2
    lines = info.value.lines()
    assert "'no-such-event' is not an event or place on this map" in lines[0]
    assert "'chaman-clash'" in lines[1] and "did you mean" in lines[1]


def test_relief_is_warped_into_the_figure_projection():
    """A block of colour at known longitudes and latitudes lands where the projection puts them."""
    west, south, east, north = 60.0, 25.0, 70.0, 35.0
    image = np.full((100, 100, 3), 128, np.uint8)
    image[30:50, 60:80] = (255, 0, 0)  # rows from the north: lat 32–30; columns: lon 66–68
    relief = render_static.ReliefImage(image=image, bounds=(west, south, east, north), credit="test relief")
    fig = render_static.render([], Recipe(name="t", title="t"), (62.0, 27.0, 68.0, 33.0), size=(600, 450), dpi=100,
                               relief=relief)
    fig.figure.canvas.draw()
    pixels = np.asarray(fig.figure.canvas.buffer_rgba())[..., :3].astype(int)
    to_map = Transformer.from_crs(4326, fig.crs, always_xy=True)

    def at(lon, lat):
        x, y = fig.map_axes.transData.transform(to_map.transform(lon, lat))
        return pixels[int(round(pixels.shape[0] - y)), int(round(x))]

    red, grey = at(67.0, 31.0), at(63.0, 31.0)
    assert red[0] - red[1] > 40  # reddish, muted
    assert abs(grey[0] - grey[1]) < 8
    assert at(65.9, 31.0)[0] - at(65.9, 31.0)[1] < 20  # just west of the block: not red
    assert "test relief" in fig.footer.get_text()


def test_figure_colours_come_from_layers():
    """Map colours have one owner (layers.py): the figure module writes none of them again."""
    def colours(module) -> set[str]:
        found = set()
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}", node.value):
                found.add(to_hex(node.value))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    node.value in matplotlib.colors.CSS4_COLORS:
                found.add(to_hex(node.value))
        return found
    figure_colours, layer_colours = colours(render_static), colours(layers_mod)
    assert layer_colours and figure_colours == {to_hex(c) for c in render_static.CHROME.values()}
    assert not figure_colours & layer_colours


@pytest.mark.slow
def test_the_figure_tells_the_same_story_as_the_page(figure, default_html):
    static = _legend_texts(figure)
    page = legend_labels(default_html)
    # the same entries, less the layers a page opens hidden (a figure cannot toggle them); in the page's
    # order, except that the short symbol entries come first, in two columns
    from bordermap import pagedata
    notes = [label for label, svg in pagedata.read(default_html)["legend"] if layers_mod.NOTE_COLOUR in svg]
    hidden = [label for label in page if label not in static and label not in notes]
    assert sorted(static, key=page.index) == [label for label in page if label in static]
    short = [label for label in static if len(label) <= 20]
    assert static == short + [label for label in static if label not in short]
    from bordermap import events

    records = events.load_events()
    off = [c for c, (_, show) in layers_mod.AREA_OVERLAYS.items() if not show]
    actors = events.load_actors()
    from bordermap import movement

    arrows = [li.label for li in movement.LEGEND if li.colour != layers_mod.NOTE_COLOUR
              if any(r.move_from for r in records)]  # the movement layer opens hidden too
    assert hidden == [f"{', '.join(actors.short(a) for a in r.actors) or r.category.capitalize()}: {r.title}"
                      for c in off for r in records if r.category == c] + arrows
    text = " ".join(t.get_text() for t in figure.figure.texts)
    # the legend's explanatory notes are said in the footer instead
    shown_notes = [note for note in notes if note not in {li.label for li in movement.LEGEND}]
    assert shown_notes and all(note.split(":")[0] in " ".join(text.split()) for note in shown_notes)
    assert "The Pakistan–Afghanistan–Iran border region" in text
    assert "Albers equal-area conic" in text and "Natural Earth" in text and "GeoNames (CC BY 4.0)" in text
    assert figure.map_axes.images, "the relief is drawn under the layers"
    assert figure.map_axes.images[0].get_zorder() < min(p.get_zorder() for p in figure.map_axes.patches)
    assert len(figure.figure.axes) == 3  # map, inset locator, legend


@pytest.mark.slow
def test_rendering_matches_the_reference_image(exported):
    """Regenerate with: bordermap export --size 900x675 --dpi 100, then copy to tests/data/reference/."""
    assert compare_images(str(REFERENCE), str(exported("png")), tol=3) is None


@pytest.mark.slow
def test_cli_export_and_build_export(cli, tmp_path, exported):
    proc = cli("export", "--format", "pdf", "--size", "x".join(map(str, SIZE)), "--dpi", str(DPI), "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"wrote {tmp_path / 'border-region.pdf'}\n"
    # the command line's figure is the library's, byte for byte (same inputs, same bytes)
    assert (tmp_path / "border-region.pdf").read_bytes() == exported("pdf").read_bytes()
    proc = cli("build", "baloch-insurgency", "--export", "png", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {"baloch-insurgency.html", "baloch-insurgency.png"} <= {p.name for p in tmp_path.iterdir()}
    bad = cli("export", "--size", "10x10")
    assert bad.returncode == 2 and bad.stderr.startswith("bordermap: error: argument --size")


def test_a_dataset_export_with_a_work_per_event_is_named_once_in_the_footer(tmp_path):
    """An ACLED export cites one work per event ("ACLED event PAK1, …"): thousands of them once filled the
    footer past the page (a crash). The dataset is named once, under Data; the curated articles stay listed."""
    from .test_conflictdata import ACLED_CURRENT, acled_row, write_csv

    rows = [dict(acled_row(n, lon=66.5 + (n % 40) / 20, lat=29.5 + (n // 40) / 20), source="") for n in range(1500)]
    src = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, rows)
    a = _assemble(None, (src,), (), None)
    fig = static_figure(a)
    footer = fig.footer.get_text()
    dataset = next(r.dataset for r in a.records if r.id.startswith("acled-"))
    curated = render_static.articles(r for r in a.records if not r.dataset)
    assert curated and all(work in footer.replace("\n", " ") for work in curated[:3])
    assert "ACLED event" not in footer and dataset.split(",")[0] in footer.replace("\n", " ")
    assert footer.count("\n") < 20
    assert fig.footer.get_window_extent(fig.figure.canvas.get_renderer()).y1 < fig.figure.bbox.height / 3


def test_the_footer_names_each_cited_work_once():
    """A work cited directly and reached "via" under its own bracketed words ("…; its author is not named") is one work."""
    records = _assemble(None, (), (), None).records
    works = render_static.articles(records)
    titles = {s.work.split(" (")[0] for r in records for s in r.sources if not s.via and s.work}
    assert titles and {t: sum(t in w for w in works) for t in titles} == {t: 1 for t in titles}
