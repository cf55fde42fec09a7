"""A photo's thumbnail: a small JPEG for the review page, made with Pillow.

Phones' cameras write 3–12 MP JPEGs turned by an EXIF Orientation tag; the thumbnail is turned upright
and keeps no EXIF (which holds the phone's GPS and model: nothing of that is needed to look at it).
A JPEG is decoded at a reduced scale (Pillow's draft mode: libjpeg scales by 1/2, 1/4 or 1/8 while
decoding), which makes a thumbnail of a 12 MP photo in tens of milliseconds.
"""
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

EDGE = 320                      # pixels of the longer side
QUALITY = 80                    # JPEG quality of the thumbnail
# More pixels than this is no phone's photo but a decompression bomb (a tiny file that decodes to
# gigabytes): refused before decoding. 50 MP covers the largest phone cameras sold in China.
MAX_PIXELS = 50_000_000


class NotAPhoto(ValueError):
    """The bytes are not an image Pillow can read, or one too large to decode safely."""


def thumbnail_jpeg(data: bytes, edge: int = EDGE) -> bytes:
    """A JPEG at most `edge` pixels on its longer side (never enlarged), upright, RGB, without metadata.
    Raises NotAPhoto for bytes that are no readable image or hold more than MAX_PIXELS pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAPhoto(f"{image.width}×{image.height} pixels is more than a photo has.")
                image.draft("RGB", (edge, edge))          # JPEG only: decode at 1/2..1/8 scale
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail((edge, edge))
                out = io.BytesIO()
                upright.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True)
                return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError,
            SyntaxError, ValueError) as e:
        if isinstance(e, NotAPhoto):
            raise
        raise NotAPhoto(f"Not a readable photo: {e}") from None
