"""Static exports: valid files in every format, the same story as the HTML, placed labels, same bytes."""

import re
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import pytest  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402

from bordermap import layers as layers_mod, render_static, sources  # noqa: E402
from bordermap.build import _assemble, export  # noqa: E402
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
    a = _assemble(None, (), (), None)
    recipe, drawn, bounds = a.recipe, a.layers, a.bounds
    context = layers_mod.boundary_layers(sources.load_boundaries(), Recipe(name="_", title="_"))
    return render_static.render(drawn, recipe, bounds, context=context)  # not registered with pyplot


@pytest.mark.slow
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
    texts = [label.get_text() for label in figure.labels]
    for text, box in zip(texts, boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i], texts[j])
    for name in ("PAKISTAN", "AFGHANISTAN", "Balochistan", "Sistan and Baluchestan", "Khyber Pakhtunkhwa",
                 "Quetta", "Kech", "Chagai", "Chitral", "Torkham", "Kabul"):
        assert name in texts, name


@pytest.mark.slow
def test_the_figure_tells_the_same_story_as_the_page(figure, default_html):
    legend = figure.figure.axes[-1].get_legend()
    static = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    page = legend_labels(default_html)
    # the same entries in the same order, less the layers a page opens hidden (a figure cannot toggle them)
    hidden = [label for label in page if label not in static]
    assert [label for label in page if label in static] == static
    from bordermap import events

    records = events.load_events()
    off = [c for c, (_, show) in layers_mod.AREA_OVERLAYS.items() if not show]
    actors = events.load_actors()
    assert hidden == [f"{', '.join(actors.short(a) for a in r.actors) or r.category.capitalize()}: {r.title}"
                      for c in off for r in records if r.category == c]
    text = " ".join(t.get_text() for t in figure.figure.texts)
    assert "The Pakistan–Afghanistan–Iran border region" in text
    assert "Albers equal-area conic" in text and "Natural Earth" in text and "GeoNames (CC BY 4.0)" in text
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
