"""A photo's thumbnail: a small JPEG for the review page, made with Pillow; and a photo's size in pixels,
read from its header alone, for the doors that take photos from strangers to refuse a bomb at intake.

Phones' cameras write 3–12 MP JPEGs turned by an EXIF Orientation tag; the thumbnail is turned upright
and keeps no EXIF (which holds the phone's GPS and model: nothing of that is needed to look at it).
A JPEG is decoded at a reduced scale (Pillow's draft mode: libjpeg scales by 1/2, 1/4 or 1/8 while
decoding), which makes a thumbnail of a 12 MP photo in tens of milliseconds.

What a thumbnail may cost is bounded twice, before anything is decoded: the pixels the header declares
(MAX_PIXELS), and the pixels that would be decoded at full scale (MAX_DECODED_PIXELS). Only a JPEG is
decoded at a reduced scale; a PNG or WebP is decoded whole, 4 bytes a pixel and more in copies, so a
190 KB PNG of 7000×7000 cost ~2 s and ~450 MB. With both bounds no photo, from a resident or a cadre,
costs a worker more than ~130 MB and ~0.3 s to show small (measured: a 4000×4000 RGBA PNG).
"""
import io
import sys
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

EDGE = 320                      # pixels of the longer side
QUALITY = 80                    # JPEG quality of the thumbnail
# More pixels than this is no phone's photo but a decompression bomb (a tiny file that decodes to
# gigabytes): refused before decoding. 50 MP covers the largest phone cameras sold in China.
MAX_PIXELS = 50_000_000
# The most pixels decoded at once: a 50 MP JPEG is decoded at 1/8 scale (0.8 MP), but a PNG or WebP is
# decoded whole, and one over this (no camera writes them; a screenshot is a few MP) gets no thumbnail.
MAX_DECODED_PIXELS = 16_000_000
# The formats a phone's photo comes in (a camera's JPEG; PNG from a drawing or signature widget; WebP and GIF
# from a gallery). Pillow reads no other: not EPS, which it hands to Ghostscript, nor the rarer formats
# whose decoders are rarely exercised, for a file anyone with a poster may send.
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


class NotAPhoto(ValueError):
    """The bytes are not an image Pillow can read, or one too large to decode safely."""


def photo_pixels(data: bytes) -> int | None:
    """The pixels (width × height) an image's header declares, read without decoding the image; None for
    bytes in which Pillow finds no image of PHOTO_FORMATS. An image past Pillow's own bomb limit (twice
    Image.MAX_IMAGE_PIXELS, which Pillow refuses even to open) counts as sys.maxsize pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)   # the caller judges the size
            with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
                return image.width * image.height
    except Image.DecompressionBombError:
        return sys.maxsize
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None


def thumbnail_jpeg(data: bytes, edge: int = EDGE) -> bytes:
    """A JPEG at most `edge` pixels on its longer side (never enlarged), upright, RGB, without metadata.
    Raises NotAPhoto for bytes that are no readable image of PHOTO_FORMATS, that declare more than MAX_PIXELS, or
    that would decode to more than MAX_DECODED_PIXELS (a PNG or WebP of that size)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAPhoto(f"{image.width}×{image.height} pixels is more than a photo has.")
                image.draft("RGB", (edge, edge))          # JPEG only: decode at 1/2..1/8 scale
                if image.width * image.height > MAX_DECODED_PIXELS:
                    raise NotAPhoto(f"{image.width}×{image.height} pixels of {image.format} are too many to decode "
                                    "for a thumbnail.")
                # Made small first, then turned: turning the full-size image would copy all its pixels again.
                image.thumbnail((edge, edge))
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
                return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError,
            SyntaxError, ValueError, EOFError) as e:
        if isinstance(e, NotAPhoto):
            raise
        raise NotAPhoto(f"Not a readable photo: {e}") from None
