"""Layer checks report every problem of a file at once, as one LayerError."""

from pathlib import Path

import pytest

from bordermap import layerio, recipe, validate
from bordermap.build import load_layer
from bordermap.errors import LayerError

from .conftest import DATA


def test_every_problem_of_a_layer_is_reported():
    spec = recipe.layer_spec({"path": str(DATA / "bad" / "noprj" / "zones.shp"), "label": "title",
                              "tooltip": ["zone", "height"]})
    with pytest.raises(LayerError) as info:
        load_layer(spec)
    problems = info.value.problems
    assert len(problems) == 3 and problems[0].startswith("unknown CRS: the file states none")
    assert problems[1].startswith("label: no property 'title' (it has: ")
    assert problems[2].startswith("tooltip: no property 'height'")
    assert info.value.lines() == [f"{spec.path}: {p}" for p in problems]
    assert (info.value.path, info.value.key, info.value.line) == (spec.path, None, None)


def test_a_crs_with_no_way_to_wgs84_is_a_layer_error():
    path = DATA / "layers" / "sites.geojson"
    with pytest.raises(LayerError, match="cannot reproject from IAU_2015:49900"):
        validate.check(layerio.read(path), path, "IAU_2015:49900")  # a CRS of Mars


def test_good_files_still_pass():
    checked = validate.check(layerio.read(DATA / "layers" / "zones_utm42n.gpkg"), Path("zones_utm42n.gpkg"))
    assert checked.notes == ("reprojected from EPSG:32642",)
