"""Where uploaded media go in tests (a pytest plugin): a folder of the test's own, or a
real S3-compatible server started here (moto's server mode on a free port, spoken to over
HTTP by django-storages and boto3 exactly as a production store is). Never a mock of boto.

`media_store` is the filesystem by default; parametrize it indirectly with "s3" to run the
same test against the local S3 server:

    @pytest.mark.parametrize("media_store", ["filesystem", "s3"], indirect=True)
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from port_for import get_port

S3_REGION = "us-east-1"
S3_KEY = "testing-key"
S3_SECRET = "testing-secret"


@dataclass
class MediaStore:
    kind: str  # "filesystem" | "s3"
    root: Path | None = None
    endpoint: str = ""
    bucket: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Every file stored, by name."""
        if self.kind == "filesystem":
            assert self.root is not None
            if not self.root.exists():
                return []
            return sorted(
                str(path.relative_to(self.root)) for path in self.root.rglob("*") if path.is_file()
            )
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, name: str) -> bytes:
        if self.kind == "filesystem":
            assert self.root is not None
            return (self.root / name).read_bytes()
        return self.client().get_object(Bucket=self.bucket, Key=name)["Body"].read()

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=S3_REGION,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3-compatible server in a thread of this process, on a free local port; its
    endpoint URL. Worker processes reach it over HTTP like any S3 endpoint."""
    from moto.server import ThreadedMotoServer

    port = get_port(None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def media_store(request, settings, tmp_path) -> MediaStore:
    kind = getattr(request, "param", "filesystem")
    if kind == "filesystem":
        root = tmp_path / "media"
        settings.MEDIA_ROOT = root
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        return MediaStore(
            kind, root=root, env={"MEDIA_STORAGE": "filesystem", "MEDIA_ROOT": str(root)}
        )
    endpoint = request.getfixturevalue("s3_server")
    bucket = f"media-{uuid.uuid4().hex[:12]}"
    store = MediaStore(kind, endpoint=endpoint, bucket=bucket)
    store.client().create_bucket(Bucket=bucket)
    env = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": S3_REGION,
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
    }
    for name, value in env.items():
        if name.startswith("AWS_"):
            setattr(settings, name, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    store.env = env
    return store


# --- Files to upload ---------------------------------------------------------------------------


def jpeg_with_exif_and_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG carrying a camera make, a GPS position, an orientation and a comment."""
    image = Image.new("RGB", size, "red")
    image.paste("blue", (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    exif[ExifTags.Base.Orientation] = 6  # rotated: the clean copy must stand up
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"12 Home Street")
    return out.getvalue()


def picture(size: tuple[int, int] = (1400, 1000), fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    image.paste((240, 200, 40), (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def png_bomb(side: int = 10_001) -> bytes:
    """A few kilobytes of PNG that decode to side² pixels."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG", optimize=True)
    return out.getvalue()


def large_png(megabytes: float = 11) -> bytes:
    """A real PNG of noise (it does not compress) over `megabytes`."""
    width = 2000
    height = int(megabytes * 1024 * 1024 / (width * 3)) + 1
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=0)
    return out.getvalue()


def executable() -> bytes:
    """The start of an ELF executable, padded."""
    return b"\x7fELF\x02\x01\x01\x00" + bytes(56) + os.urandom(4096)


def _box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def mp4(*, width: int = 640, height: int = 360, seconds: float = 12.5) -> bytes:
    """A minimal MP4: ftyp, then moov with mvhd and one video trak (tkhd, mdia/hdlr)."""
    timescale = 1000
    ftyp = _box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41")
    mvhd = _box(
        b"mvhd",
        bytes(4)  # version 0, flags
        + bytes(8)  # creation, modification
        + timescale.to_bytes(4, "big")
        + int(seconds * timescale).to_bytes(4, "big")
        + bytes(80),
    )
    tkhd = _box(
        b"tkhd",
        bytes(4)
        + bytes(8)
        + (1).to_bytes(4, "big")
        + bytes(4)
        + int(seconds * timescale).to_bytes(4, "big")
        + bytes(8 + 2 + 2 + 2 + 2 + 36)
        + (width << 16).to_bytes(4, "big")
        + (height << 16).to_bytes(4, "big"),
    )
    hdlr = _box(b"hdlr", bytes(4) + bytes(4) + b"vide" + bytes(12) + b"Video\x00")
    trak = _box(b"trak", tkhd + _box(b"mdia", hdlr))
    moov = _box(b"moov", mvhd + trak)
    mdat = _box(b"mdat", os.urandom(2048))
    return ftyp + mdat + moov  # moov at the end, as a camera writes it


def _ebml(element_id: int, payload: bytes) -> bytes:
    id_bytes = element_id.to_bytes((element_id.bit_length() + 7) // 8, "big")
    size = len(payload)
    return id_bytes + (0x0100000000000000 | size).to_bytes(8, "big") + payload


def webm(*, width: int = 320, height: int = 240, seconds: float = 3.0) -> bytes:
    """A minimal WebM: the EBML header (DocType webm), then a Segment with Info and Tracks."""
    import struct

    header = _ebml(0x1A45DFA3, _ebml(0x4286, b"\x01") + _ebml(0x4282, b"webm"))
    info = _ebml(
        0x1549A966,
        _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
        + _ebml(0x4489, struct.pack(">d", seconds * 1000)),
    )
    video = _ebml(
        0xE0, _ebml(0xB0, width.to_bytes(2, "big")) + _ebml(0xBA, height.to_bytes(2, "big"))
    )
    track = _ebml(0xAE, _ebml(0xD7, b"\x01") + _ebml(0x83, b"\x01") + video)
    tracks = _ebml(0x1654AE6B, track)
    cluster = _ebml(0x1F43B675, os.urandom(1024))
    return header + _ebml(0x18538067, info + tracks + cluster)
