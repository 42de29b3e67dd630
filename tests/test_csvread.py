"""The plain-CSV reader gives the frame GDAL gives, and steps aside for anything GDAL reads its own way."""

from pathlib import Path

import pandas as pd
import pytest

from bordermap import csvread, events

DATA = Path(__file__).parent / "data"
HEADER = events.REQUIRED + ("admin1", "place", "date")
ROW = {"id": "a-1", "title": "Clash, at the pass", "category": "border clash", "date_precision": "day",
       "location_precision": "town", "location_basis": "GeoNames", "summary": "Two lines\nof text",
       "sources": "A. Author | A Work", "admin1": "PK-BA", "place": "Chaman", "date": "2022-01-02"}


def _write(path: Path, lines: list[str], *, newline: str = "\n", bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8") + newline.encode())
    return path


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def _csv(path: Path, rows: list[dict], *, x: str = "longitude", y: str = "latitude", **kw) -> Path:
    names = list(HEADER) + ["longitude", "latitude"]
    return _write(path, [",".join(list(HEADER) + [x, y])]
                  + [",".join(_quoted(str(r.get(n, ""))) for n in names) for r in rows], **kw)


def _by_gdal(path: Path, monkeypatch) -> pd.DataFrame:
    with monkeypatch.context() as m:
        m.setattr(csvread, "read", lambda *a: None)
        return events.read_frame(path)


def _rows(n: int) -> list[dict]:
    return [{**ROW, "id": f"a-{k}", "longitude": f"{60 + k / 7:.6f}", "latitude": f"-{k}.25",
             "title": f"Ähnlich № {k}"} for k in range(n)]


@pytest.mark.parametrize("kw", [{}, {"newline": "\r\n", "bom": True}, {"x": "Longitude", "y": "LAT"},
                                {"x": "x", "y": "y"}])
def test_a_plain_file_reads_as_gdal_reads_it(tmp_path, monkeypatch, kw):
    rows = _rows(30)
    rows[4].update(longitude="", latitude="")  # no point: an area's row
    rows[5].update(title="  padded\t", summary="")
    path = _csv(tmp_path / "plain.csv", rows, **kw)
    fast = csvread.read(path, events.REQUIRED)
    assert fast is not None
    gdal = _by_gdal(path, monkeypatch)
    pd.testing.assert_frame_equal(fast, gdal)
    assert fast.geometry.isna().tolist() == [k == 4 for k in range(30)]
    assert fast.geometry.x.iloc[7] == float(rows[7]["longitude"]) and fast["summary"].iloc[0] == ROW["summary"]


def test_the_fixture_reads_as_gdal_reads_it(monkeypatch):
    path = DATA / "events_good.csv"
    fast = csvread.read(path, events.REQUIRED)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _by_gdal(path, monkeypatch))


@pytest.mark.parametrize("change", ["quote inside", "exponent", "space before", "one coordinate", "short row",
                                    "lone cr", "semicolons", "wkt", "sidecar", "two longitudes", "no header"])
def test_anything_else_is_left_to_gdal(tmp_path, monkeypatch, change):
    rows = _rows(5)
    path = tmp_path / "odd.csv"
    if change == "quote inside":
        rows[2]["title"] = 'ab"cd"ef'
    elif change == "exponent":
        rows[1]["longitude"] = "6.6e1"
    elif change == "space before":
        rows[1]["latitude"] = " 30.5"
    elif change == "one coordinate":
        rows[3]["latitude"] = ""
    _csv(path, rows)
    if change == "wkt":  # GDAL draws a WKT column as the geometry
        path.write_text(path.read_text().replace("latitude\n", "latitude,WKT\n", 1).replace("\n", ",\n")
                        .replace(",\n", "\n", 1))
    elif change == "short row":
        path.write_text(path.read_text() + "b-1,Short\n")
    elif change == "lone cr":
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r", 1))
    elif change == "semicolons":
        path.write_text(path.read_text().replace(",", ";"))
    elif change == "sidecar":
        (tmp_path / "ODD.csvt").write_text(",".join(["String"] * (len(HEADER) + 2)) + "\n")
    elif change == "two longitudes":
        path.write_text(path.read_text().replace("latitude", "lon", 1))
    elif change == "no header":
        path.write_text(path.read_text().split("\n", 1)[1])
    assert csvread.read(path, events.REQUIRED) is None
    if change in ("two longitudes", "no header"):
        return  # GDAL's own reading of these is not this reader's concern
    pd.testing.assert_frame_equal(events.read_frame(path), _by_gdal(path, monkeypatch))


def test_a_bad_byte_is_named_by_the_gdal_reader(tmp_path):
    path = _csv(tmp_path / "bytes.csv", _rows(3))
    path.write_bytes(path.read_bytes().replace("Ähnlich".encode(), b"\xffhnlich", 1))
    assert csvread.read(path, events.REQUIRED) is None
    with pytest.raises(events.SourceError, match="column 'title' is not UTF-8 text; save it as UTF-8"):
        events.read_frame(path)
