"""The Image API 3 request syntax, checked against one image before anything is decoded."""

from __future__ import annotations

import pytest

from digitalisering.iiif.imageapi import (ImageApiError, Limits, image_info, parse_quality_format, parse_region,
                                          parse_request, parse_rotation, parse_size, scale_factors)

W, H = 2480, 3508
LIMITS = Limits()


@pytest.mark.parametrize("region, expected", [
    ("full", (0, 0, W, H)),
    ("square", (0, (H - W) // 2, W, W)),
    ("0,0,256,256", (0, 0, 256, 256)),
    ("2300,3400,500,500", (2300, 3400, 180, 108)),  # cut to the image
    ("pct:50,50,50,50", (1240, 1754, 1240, 1754)),
    ("pct:0,0,10.5,100", (0, 0, 260, H)),
])
def test_regions_in_pixels_of_the_page(region, expected):
    assert parse_region(region, W, H) == expected


@pytest.mark.parametrize("region", ["2480,0,10,10", "0,3508,10,10", "0,0,0,10", "pct:101,0,10,10",
                                    "-1,0,10,10", "0,0,10", "a,b,c,d", "pct:0,0,0,5", "squares", ""])
def test_bad_regions_are_400(region):
    with pytest.raises(ImageApiError) as err:
        parse_region(region, W, H)
    assert err.value.status == 400


@pytest.mark.parametrize("size, expected", [
    ("max", (W, H)),
    ("256,", (256, 362)),
    (",362", (256, 362)),
    ("100,100", (100, 100)),
    ("pct:50", (1240, 1754)),
    ("!500,500", (353, 500)),
    ("!5000,5000", (W, H)),  # best fit, not beyond the region
])
def test_sizes(size, expected):
    assert parse_size(size, W, H, LIMITS) == expected


def test_max_respects_the_servers_limits():
    assert parse_size("max", 20_000, 10_000, Limits(max_width=10_000, max_height=10_000,
                                                      max_area=25_000_000)) == (7071, 3535)


@pytest.mark.parametrize("size, status", [
    ("2481,", 400), (",3509", 400), ("pct:101", 400), ("0,", 400), ("0,0", 400), ("pct:0", 400),
    ("!0,5", 400), ("big", 400), ("256", 400), ("^max", 501), ("^300,", 501), ("^what", 400),
])
def test_bad_or_too_large_sizes(size, status):
    with pytest.raises(ImageApiError) as err:
        parse_size(size, W, H, LIMITS)
    assert err.value.status == status


def test_a_size_beyond_max_area_is_refused():
    with pytest.raises(ImageApiError) as err:
        parse_size("6000,6000", 8000, 8000, LIMITS)
    assert err.value.status == 400 and "larger than this server makes" in str(err.value)


@pytest.mark.parametrize("rotation, expected", [("0", (False, 0)), ("90", (False, 90)), ("180", (False, 180)),
                                                ("270", (False, 270)), ("!0", (True, 0)), ("360", (False, 0))])
def test_rotations(rotation, expected):
    assert parse_rotation(rotation) == expected


@pytest.mark.parametrize("rotation, status", [("45", 501), ("22.5", 501), ("-90", 400), ("400", 400), ("x", 400)])
def test_bad_rotations(rotation, status):
    with pytest.raises(ImageApiError) as err:
        parse_rotation(rotation)
    assert err.value.status == status


@pytest.mark.parametrize("text, status", [("default.gif", 501), ("default.webp", 501), ("default.exe", 400),
                                          ("best.jpg", 400), ("default", 400)])
def test_bad_quality_or_format(text, status):
    with pytest.raises(ImageApiError) as err:
        parse_quality_format(text, True)
    assert err.value.status == status


def test_color_does_not_apply_to_a_grey_page():
    with pytest.raises(ImageApiError) as err:
        parse_quality_format("color.jpg", False)
    assert err.value.status == 400
    assert parse_quality_format("color.png", True) == ("color", "png")
    assert parse_quality_format("gray.jpg", False) == ("gray", "jpg")


def test_a_request_has_one_canonical_key():
    a = parse_request("full", "max", "0", "default.jpg", 100, 50, None, LIMITS)
    b = parse_request("0,0,100,50", "100,", "0", "default.jpg", 100, 50, None, LIMITS)
    c = parse_request("pct:0,0,100,100", "pct:100", "360", "default.jpg", 100, 50, None, LIMITS)
    assert a.key == b.key == c.key


def test_info_json_tiles_and_sizes():
    info = image_info("https://x/iiif/image/b/1", W, H, LIMITS)
    assert info["@context"] == "http://iiif.io/api/image/3/context.json"
    assert info["type"] == "ImageService3" and info["protocol"] == "http://iiif.io/api/image"
    assert info["profile"] == "level2" and info["id"] == "https://x/iiif/image/b/1"
    assert info["tiles"] == [{"width": 256, "height": 256, "scaleFactors": [1, 2, 4, 8, 16]}]
    assert info["sizes"][0] == {"width": 155, "height": 220} and info["sizes"][-1] == {"width": W, "height": H}
    # every size listed can be asked for as w,h
    for s in info["sizes"]:
        assert parse_size(f"{s['width']},{s['height']}", W, H, LIMITS) == (s["width"], s["height"])
    assert scale_factors(200, 100) == [1]
