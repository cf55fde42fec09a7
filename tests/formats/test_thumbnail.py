"""Thumbnails of phone photos: small, upright, without the photo's EXIF, and never from a bomb or a non-image."""
import io

import pytest
from PIL import Image

from app.formats.thumbnail import EDGE, MAX_DECODED_PIXELS, MAX_PIXELS, NotAPhoto, photo_pixels, thumbnail_jpeg

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def _photo(width: int, height: int, orientation: int | None = None, fmt: str = "JPEG") -> bytes:
    """A photo as a phone writes it: a red left half (so turning shows), EXIF with orientation and GPS."""
    image = Image.new("RGB", (width, height), "white")
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"                       # Make
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def test_a_large_photo_becomes_a_small_jpeg_without_its_exif():
    small = Image.open(io.BytesIO(thumbnail_jpeg(_photo(4000, 3000))))
    assert small.format == "JPEG" and max(small.size) == EDGE and small.size == (EDGE, EDGE * 3 // 4)
    assert dict(small.getexif()) == {}


def test_a_photo_turned_by_its_exif_is_made_upright():
    # Orientation 6: the camera was held upright, the pixels lie on their side (rotate 90° clockwise to show).
    small = Image.open(io.BytesIO(thumbnail_jpeg(_photo(400, 300, orientation=6))))
    assert small.size == (240, EDGE)                 # portrait now
    # Turned a quarter clockwise, the photo's red left half is the top half.
    top, bottom = small.getpixel((small.width // 2, 5)), small.getpixel((small.width // 2, small.height - 5))
    assert top[0] > 200 and top[1] < 80
    assert min(bottom) > 200


def test_a_small_photo_is_not_enlarged_and_other_formats_are_read():
    small = Image.open(io.BytesIO(thumbnail_jpeg(_photo(100, 50, fmt="PNG"))))
    assert small.size == (100, 50) and small.format == "JPEG"


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\0" * 100,
                                  b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"])
def test_what_is_no_photo_is_refused(data):
    with pytest.raises(NotAPhoto):
        thumbnail_jpeg(data)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A PNG of one colour compresses to almost nothing whatever its size: 10,000 × 10,000 is 100 MP.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000 and 10_000 * 10_000 > MAX_PIXELS
    with pytest.raises(NotAPhoto, match="pixels"):
        thumbnail_jpeg(out.getvalue())


def _one_colour(width: int, height: int, fmt: str, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, fmt)
    return out.getvalue()


def test_a_png_too_large_to_decode_whole_gets_no_thumbnail_but_a_jpeg_of_as_many_pixels_does():
    """A PNG is decoded whole (a 49 MP one cost ~450 MB); a JPEG at 1/8 scale: the bound is on what is decoded."""
    png = _one_colour(5000, 4000, "PNG")
    assert 5000 * 4000 > MAX_DECODED_PIXELS and len(png) < 200_000
    with pytest.raises(NotAPhoto, match="too many to decode"):
        thumbnail_jpeg(png)
    small = Image.open(io.BytesIO(thumbnail_jpeg(_one_colour(5000, 4000, "JPEG", "RGB"))))
    assert small.size == (EDGE, EDGE * 4 // 5)


def test_a_photos_pixels_are_read_from_its_header():
    assert photo_pixels(_one_colour(300, 200, "PNG")) == 60_000
    assert photo_pixels(_one_colour(300, 200, "JPEG", "RGB")) == 60_000
    assert photo_pixels(_one_colour(300, 200, "WEBP", "RGB")) == 60_000
    for data in (b"", b"\xff\xd8\xff\xe0" + b"\0" * 100, b"\x89PNG\r\n\x1a\n" + b"\0" * 30):
        assert photo_pixels(data) is None
    # Past twice Pillow's own limit, Pillow will not even open it: as many pixels as there can be.
    huge = _one_colour(15_000, 15_000, "PNG", "1")
    assert photo_pixels(huge) > MAX_PIXELS


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "EPS", "PPM"])
def test_images_of_formats_no_phone_sends_get_no_thumbnail(fmt):
    """Pillow reads dozens of formats, EPS through Ghostscript; a photo is read only as PHOTO_FORMATS."""
    data = _one_colour(40, 30, fmt, "RGB")
    assert photo_pixels(data) is None
    with pytest.raises(NotAPhoto):
        thumbnail_jpeg(data)
    assert photo_pixels(_one_colour(40, 30, "GIF", "P")) == 1200 and thumbnail_jpeg(_one_colour(40, 30, "GIF", "P"))
