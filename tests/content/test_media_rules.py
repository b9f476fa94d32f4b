"""apps/content/media.py on its own: what the first bytes announce, and what a video's
container says (bounded parsers; null when it cannot be read)."""

from __future__ import annotations

import io
import struct

import pytest

from apps.content import media
from tests.media import _box, _ebml, mp4, picture, webm


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(picture((8, 8)), ("image", "image/jpeg"), id="jpeg"),
        pytest.param(picture((8, 8), fmt="PNG"), ("image", "image/png"), id="png"),
        pytest.param(picture((8, 8), fmt="WEBP"), ("image", "image/webp"), id="webp"),
        pytest.param(mp4(), ("video", "video/mp4"), id="mp4_isom"),
        pytest.param(webm(), ("video", "video/webm"), id="webm"),
        pytest.param(b"\x00\x00\x00\x18ftypqt  " + bytes(16), None, id="quicktime"),
        pytest.param(b"\x00\x00\x00\x18ftypheic" + bytes(16), None, id="heic_picture"),
        pytest.param(b"\x00\x00\x00\x18ftypM4A " + bytes(16), None, id="m4a_audio"),
        pytest.param(_ebml(0x1A45DFA3, _ebml(0x4282, b"matroska")) + bytes(8), None, id="matroska"),
        pytest.param(b"GIF89a" + bytes(32), None, id="gif"),
        pytest.param(b"\x7fELF\x02\x01\x01" + bytes(32), None, id="elf"),
        pytest.param(b"%PDF-1.7" + bytes(32), None, id="pdf"),
        pytest.param(b"", None, id="empty"),
        pytest.param(b"\x1a\x45\xdf\xa3\xff", None, id="ebml_cut_short"),
    ],
)
def test_the_first_bytes_decide(head, expected):
    sniffed = media.sniff(head[: media.HEAD_BYTES])
    assert (None if sniffed is None else (sniffed.kind, sniffed.content_type)) == expected


def test_an_mp4_with_a_version_1_movie_header_is_read():
    timescale, length = 600, 600 * 90
    mvhd = _box(
        b"mvhd", b"\x01" + bytes(3) + bytes(16) + struct.pack(">IQ", timescale, length) + bytes(80)
    )
    data = _box(b"ftyp", b"mp42" + bytes(4) + b"mp42") + _box(b"moov", mvhd)
    info = media.video_info(io.BytesIO(data), media.sniff(data[:64]))
    assert info.duration_seconds == 90.0
    assert (info.width, info.height) == (None, None)  # no video track


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # The movie header survives; the track cut in the middle is skipped, not misread.
        pytest.param(mp4()[:-40], (None, None, 12.5), id="moov_cut_short"),
        pytest.param(
            _box(b"ftyp", b"isom" + bytes(4) + b"isom") + b"\x00\x00\x00\x04moov",
            (None, None, None),
            id="box_too_small",
        ),
        pytest.param(
            _box(b"ftyp", b"isom" + bytes(4) + b"isom") + b"\xff\xff\xff\xffmoov" + bytes(64),
            (None, None, None),
            id="box_larger_than_the_file",
        ),
    ],
)
def test_a_broken_container_gives_what_it_can_and_nulls(data, expected):
    info = media.video_info(io.BytesIO(data), media.Sniffed("video", "video/mp4", "mp4"))
    assert (info.width, info.height, info.duration_seconds) == expected


def test_a_webm_without_duration_has_a_null_duration():
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    segment = _ebml(0x18538067, _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big"))))
    data = header + segment
    info = media.video_info(io.BytesIO(data), media.sniff(data[:64]))
    assert info.duration_seconds is None


@pytest.mark.parametrize(
    ("width", "expected"),
    [(319, []), (320, []), (321, [320]), (1280, [320, 640]), (4000, [320, 640, 1280])],
)
def test_renditions_are_only_narrower_than_the_picture(width, expected):
    assert media.rendition_widths(width) == expected
