"""What an uploaded picture or video is, decided from its bytes (never its name), and the
clean copies stored of it (docs/decisions/upload-safety.md).

- Pictures: Pillow decides the format (JPEG, PNG or WebP only), refuses more than
  `MAX_PIXELS` (a decompression bomb is an error, never a warning) and re-encodes the
  pixels into a new file: EXIF (with GPS), XMP, ICC profiles, comments and text chunks
  are left behind. The EXIF orientation is applied first, so the picture still stands up.
- Videos: MP4 and WebM, recognised by the container's magic bytes (an `ftyp` box with an
  MP4 brand; an EBML header whose DocType is `webm`). Nothing decodes them on the server:
  width, height and duration are read from the container's headers by small bounded
  parsers (`mvhd`/`tkhd` boxes; the Segment's Info and Tracks), and stay None when they
  cannot be read safely.

No ORM, no storage: bytes and files in, bytes and numbers out.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.errors import TooLarge

from .errors import ContentError

MB = 1024 * 1024
IMAGE_MAX_BYTES = 10 * MB
VIDEO_MAX_BYTES = 200 * MB
# 50 megapixels: a 48-megapixel phone photo (8000 × 6000) passes; a 10,001 × 10,001 PNG
# (a few kilobytes that decode to 400 MB) does not. Also Pillow's own MAX_IMAGE_PIXELS,
# set by ContentConfig.ready(), with its warning turned into an error here.
MAX_PIXELS = 50_000_000
RENDITION_WIDTHS = (320, 640, 1280)
HEAD_BYTES = 64  # enough for every signature below

IMAGE_FORMATS = {
    # Pillow's format name: (content type, file extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# ISO base media brands of MP4 video. QuickTime (`qt  `), HEIF/AVIF pictures (`heic`,
# `mif1`, `avif`) and audio-only M4A share the `ftyp` box and are refused.
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"M4V ",
    b"M4VP",
    b"mmp4",
    b"MSNV",
}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "image" | "video" (apps.content.models.MediaKind)
    content_type: str
    extension: str

    @property
    def max_bytes(self) -> int:
        return IMAGE_MAX_BYTES if self.kind == "image" else VIDEO_MAX_BYTES


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    content_type: str
    extension: str


@dataclass(frozen=True)
class VideoInfo:
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None


def unsupported(field: str) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                _(
                    "Send a JPEG, PNG or WebP picture (up to 10 MB) or an MP4 or WebM video "
                    "(up to 200 MB)."
                ),
                code=ContentError.UNSUPPORTED_MEDIA,
            )
        }
    )


def too_large(field: str, max_bytes: int) -> TooLarge:
    return TooLarge(
        _("The file is larger than %(megabytes)d MB.") % {"megabytes": max_bytes // MB},
        ContentError.TOO_LARGE,
        attr=field,
    )


# --- Recognising a file ------------------------------------------------------------------------


def sniff(head: bytes) -> Sniffed | None:
    """The kind of file its first bytes announce, or None. A first look only: a picture is
    then opened by Pillow, which must agree."""
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", *IMAGE_FORMATS["JPEG"])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", *IMAGE_FORMATS["PNG"])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", *IMAGE_FORMATS["WEBP"])
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return Sniffed("video", "video/mp4", "mp4")
    if head.startswith(EBML_MAGIC) and _ebml_doctype(head) == b"webm":
        return Sniffed("video", "video/webm", "webm")
    return None


def read_head(file: BinaryIO) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def file_size(file: BinaryIO) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
        file.seek(0)
    return int(size)


def check_upload(file: BinaryIO, *, field: str = "file") -> Sniffed:
    """What the file is, or the refusal: 400 `unsupported_media` for anything but the five
    types, 413 `too_large` over its type's limit (the size is known before it is read)."""
    sniffed = sniff(read_head(file))
    if sniffed is None:
        raise unsupported(field)
    if file_size(file) > sniffed.max_bytes:
        raise too_large(field, sniffed.max_bytes)
    return sniffed


# --- Pictures ----------------------------------------------------------------------------------


def _open_image(file: BinaryIO, *, field: str) -> Image.Image:
    file.seek(0)
    with warnings.catch_warnings():
        # Pillow warns between MAX_IMAGE_PIXELS and twice that and raises above: both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(file)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise too_many_pixels(field) from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise unsupported(field) from error
    if image.format not in IMAGE_FORMATS:
        raise unsupported(field)
    if image.width * image.height > MAX_PIXELS:
        raise too_many_pixels(field)
    return image


def too_many_pixels(field: str) -> TooLarge:
    return TooLarge(
        _("The picture has more than %(millions)d million pixels.")
        % {"millions": MAX_PIXELS // 1_000_000},
        ContentError.TOO_MANY_PIXELS,
        attr=field,
    )


def clean_image(file: BinaryIO, *, field: str = "file") -> CleanImage:
    """The picture re-encoded from its pixels alone, in its own format; nothing of the
    original file but the pixels (turned upright) survives."""
    image = _open_image(file, field=field)
    fmt = image.format
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise too_many_pixels(field) from error
    except (OSError, ValueError, SyntaxError, struct.error) as error:  # truncated or corrupt
        raise unsupported(field) from error
    return _encode(_pixels_only(upright), fmt or "")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the pixels and nothing else (no `info`: EXIF, XMP, ICC, comments,
    PNG text chunks are not carried over)."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.mode in ("P", "PA") and "transparency" in image.info
        image = image.convert("RGBA" if has_alpha or image.mode.endswith("A") else "RGB")
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _encode(image: Image.Image, fmt: str) -> CleanImage:
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=82, method=4)
    content_type, extension = IMAGE_FORMATS[fmt]
    return CleanImage(out.getvalue(), image.width, image.height, content_type, extension)


def rendition(data: bytes, width: int) -> CleanImage:
    """A WebP copy `width` pixels wide (never wider than the original), from a stored
    clean picture."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        height = max(1, round(image.height * width / image.width))
        smaller = image.resize((width, height), Image.Resampling.LANCZOS)
    return _encode(_pixels_only(smaller), "WEBP")


def rendition_widths(original_width: int | None) -> list[int]:
    return [width for width in RENDITION_WIDTHS if original_width and width < original_width]


# --- Videos: what the container says ------------------------------------------------------------

MAX_BOXES = 256
MAX_MOOV_BYTES = 32 * MB
MAX_EBML_BYTES = 4 * MB


def video_info(file: BinaryIO, sniffed: Sniffed) -> VideoInfo:
    """Width, height and duration from the container's headers; None where they are
    missing or not readable. Bounded: a few hundred boxes, 32 MB of `moov` at most."""
    try:
        if sniffed.content_type == "video/mp4":
            return _mp4_info(file)
        return _webm_info(file)
    except (struct.error, ValueError, OverflowError, EOFError):
        return VideoInfo()
    finally:
        file.seek(0)


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, payload start, payload end) of the ISO boxes in data[start:end]."""
    end = len(data) if end is None else end
    offset, count = start, 0
    while offset + 8 <= end and count < MAX_BOXES:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            return
        yield kind, offset + header, offset + size
        offset += size
        count += 1


def _mp4_info(file: BinaryIO) -> VideoInfo:
    moov = _find_moov(file)
    if moov is None:
        return VideoInfo()
    duration = width = height = None
    for kind, start, end in _boxes(moov):
        if kind == b"mvhd":
            version = moov[start]
            if version == 1:
                timescale, length = struct.unpack_from(">IQ", moov, start + 20)
            else:
                timescale, length = struct.unpack_from(">II", moov, start + 12)
            if timescale and length not in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
                duration = round(length / timescale, 3)
        elif kind == b"trak" and width is None:
            width, height = _video_track_size(moov, start, end)
    return VideoInfo(width=width, height=height, duration_seconds=duration)


def _find_moov(file: BinaryIO) -> bytes | None:
    file.seek(0, io.SEEK_END)
    total = file.tell()
    offset = 0
    for _box in range(MAX_BOXES):
        if offset + 8 > total:
            return None
        file.seek(offset)
        header = file.read(16)
        size, kind = struct.unpack_from(">I4s", header)
        header_size = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", header, 8)
            header_size = 16
        elif size == 0:
            size = total - offset
        if size < header_size:
            return None
        if kind == b"moov":
            if size > MAX_MOOV_BYTES:
                return None
            file.seek(offset + header_size)
            return file.read(size - header_size)
        offset += size
    return None


def _video_track_size(data: bytes, start: int, end: int) -> tuple[int | None, int | None]:
    size: tuple[int | None, int | None] = (None, None)
    is_video = False
    for kind, s, e in _boxes(data, start, end):
        if kind == b"tkhd":
            version = data[s]
            # version/flags, times, track id, reserved, duration, reserved, layer, group,
            # volume, reserved, matrix: then width and height as 16.16 fixed point.
            offset = s + (88 if version == 1 else 76)
            if offset + 8 <= e:
                w, h = struct.unpack_from(">II", data, offset)
                size = (w >> 16 or None, h >> 16 or None)
        elif kind == b"mdia":
            for inner, s2, e2 in _boxes(data, s, e):
                if inner == b"hdlr" and s2 + 12 <= e2:
                    is_video = data[s2 + 8 : s2 + 12] == b"vide"
    return size if is_video else (None, None)


# EBML (WebM): element ids keep their length marker; sizes drop it.
EBML_DOCTYPE = 0x4282
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
DURATION = 0x4489
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
VIDEO = 0xE0
PIXEL_WIDTH = 0xB0
PIXEL_HEIGHT = 0xBA
CLUSTER = 0x1F43B675
UNKNOWN_SIZE = -1


def _vint(data: bytes, offset: int, *, keep_marker: bool) -> tuple[int, int]:
    """(value, length) of an EBML variable-length integer at offset."""
    first = data[offset]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or offset + length > len(data):
        raise ValueError("bad EBML integer")
    value = first if keep_marker else first & (mask - 1)
    for byte in data[offset + 1 : offset + length]:
        value = (value << 8) | byte
    if not keep_marker and value == (1 << (7 * length)) - 1:
        value = UNKNOWN_SIZE
    return value, length


def _elements(data: bytes, start: int, end: int):
    offset, count = start, 0
    while offset < end and count < 4096:
        element, id_length = _vint(data, offset, keep_marker=True)
        size, size_length = _vint(data, offset + id_length, keep_marker=False)
        payload = offset + id_length + size_length
        stop = end if size == UNKNOWN_SIZE else payload + size
        if stop > end and element not in (SEGMENT, CLUSTER):
            return
        yield element, payload, min(stop, end)
        if element in (SEGMENT,) or size == UNKNOWN_SIZE:
            return  # the caller descends; nothing follows a segment we can bound
        offset = stop
        count += 1


def _uint(data: bytes, start: int, end: int) -> int:
    if end - start > 8:
        raise ValueError("integer too long")
    return int.from_bytes(data[start:end], "big")


def _ebml_doctype(head: bytes) -> bytes | None:
    try:
        for element, start, end in _elements(head, 0, len(head)):
            if element != int.from_bytes(EBML_MAGIC, "big"):
                return None
            for inner, s, e in _elements(head, start, end):
                if inner == EBML_DOCTYPE:
                    return head[s:e]
            return None
    except (ValueError, IndexError):
        return None
    return None


def _webm_info(file: BinaryIO) -> VideoInfo:
    file.seek(0)
    data = file.read(MAX_EBML_BYTES)
    scale, duration, width, height = 1_000_000, None, None, None
    for element, start, end in _elements(data, 0, len(data)):
        if element != SEGMENT:
            continue
        for child, s, e in _elements(data, start, end):
            if child == INFO:
                for item, s2, e2 in _elements(data, s, e):
                    if item == TIMECODE_SCALE:
                        scale = _uint(data, s2, e2) or scale
                    elif item == DURATION and e2 - s2 in (4, 8):
                        duration = struct.unpack(">f" if e2 - s2 == 4 else ">d", data[s2:e2])[0]
            elif child == TRACKS:
                for entry, s2, e2 in _elements(data, s, e):
                    if entry == TRACK_ENTRY and width is None:
                        width, height = _webm_track_size(data, s2, e2)
            elif child == CLUSTER:
                break
        break
    seconds = None
    if duration is not None and duration > 0 and duration == duration:  # not NaN
        seconds = round(duration * scale / 1e9, 3)
    return VideoInfo(width=width, height=height, duration_seconds=seconds)


def _webm_track_size(data: bytes, start: int, end: int) -> tuple[int | None, int | None]:
    kind, width, height = None, None, None
    for element, s, e in _elements(data, start, end):
        if element == TRACK_TYPE:
            kind = _uint(data, s, e)
        elif element == VIDEO:
            for inner, s2, e2 in _elements(data, s, e):
                if inner == PIXEL_WIDTH:
                    width = _uint(data, s2, e2) or None
                elif inner == PIXEL_HEIGHT:
                    height = _uint(data, s2, e2) or None
    return (width, height) if kind == 1 else (None, None)
