import pytest

from app.core.geo import read_geo


def test_geopoint_keeps_altitude_and_accuracy():
    value = read_geo("geopoint", "30.59 114.30 25.5 4.2")
    assert (value.geometry.x, value.geometry.y, value.altitude, value.accuracy) == (114.30, 30.59, 25.5, 4.2)
    assert value.problem is None


def test_geotrace_accepts_spaces_around_separators():
    value = read_geo("geotrace", "30.5 114.3 0 5; 30.6 114.4 0 5 ;30.7 114.5")
    assert value.geometry.geom_type == "LineString" and len(value.geometry.coords) == 3


def test_geoshape_is_closed_when_the_client_did_not():
    value = read_geo("geoshape", "30.5 114.3;30.6 114.3;30.6 114.4")
    assert value.geometry.geom_type == "Polygon" and value.problem is None


@pytest.mark.parametrize("kind,text,problem", [
    ("geopoint", "91 10", "out of range"),
    ("geopoint", "10 181", "out of range"),
    ("geopoint", "abc def", "not a number"),
    ("geopoint", "nan 1", "finite"),
    ("geopoint", "1", "expected"),
    ("geopoint", "1 2;3 4", "one coordinate"),
    ("geotrace", "1 2", "at least 2"),
    ("geoshape", "1 2;3 4", "at least 3"),
])
def test_bad_coordinates_give_a_problem_not_an_exception(kind, text, problem):
    value = read_geo(kind, text)
    assert value.geometry is None and problem in value.problem


def test_self_crossing_shape_is_kept_and_flagged():
    value = read_geo("geoshape", "0 0;1 1;1 0;0 1;0 0")
    assert value.geometry is not None and "crosses" in value.problem
