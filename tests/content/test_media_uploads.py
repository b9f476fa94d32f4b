"""`POST exercises/{slug}/media/` and `DELETE .../media/{id}/`: what is stored of an upload
and what is refused, on the filesystem and on a real local S3 server (moto's server mode).

Every refusal checks that nothing was stored: no row, no file, the exercise unchanged."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from apps.content.models import Exercise, ExerciseMedia, MediaRendition
from apps.content.services import media_renditions_make
from tests.factories import ExerciseFactory
from tests.media import (
    executable,
    jpeg_with_exif_and_gps,
    large_png,
    mp4,
    picture,
    png_bomb,
    webm,
)

STORES = pytest.mark.parametrize("media_store", ["filesystem", "s3"], indirect=True)


@pytest.fixture
def exercise(db):
    return ExerciseFactory(slug="heel-slide", name="Heel slide")


def upload(client, slug: str, data: bytes, name: str, content_type: str, **fields):
    body = {"file": SimpleUploadedFile(name, data, content_type=content_type)}
    body.update({"alt_text": "A person sliding a heel along the floor.", **fields})
    return client.post(f"/api/v1/exercises/{slug}/media/", body, format="multipart")


def nothing_stored(store, exercise: Exercise) -> None:
    assert ExerciseMedia.objects.count() == 0
    assert MediaRendition.objects.count() == 0
    assert store.names() == []
    before = exercise.updated_at
    exercise.refresh_from_db()
    assert exercise.updated_at == before


def errors(response) -> list[tuple]:
    return [(e["code"], e["attr"]) for e in response.json()["errors"]]


@STORES
def test_a_jpeg_comes_back_without_exif_gps_or_comment(media_store, editor_client, exercise):
    original = jpeg_with_exif_and_gps(size=(64, 48))

    response = upload(editor_client, exercise.slug, original, "IMG_0001.jpg", "image/jpeg")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "image"
    assert body["content_type"] == "image/jpeg"
    # The orientation tag (6: rotated) was applied to the pixels, then dropped.
    assert (body["width"], body["height"]) == (48, 64)
    [name] = media_store.names()
    assert name.startswith("exercises/")
    assert name.endswith(".jpg")
    assert "IMG_0001" not in name  # the client's name is never used
    stored = media_store.read(name)
    assert body["size_bytes"] == len(stored)
    for secret in (b"SecretCam", b"12 Home Street", b"Exif", b"GPS"):
        assert secret not in stored
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert "comment" not in image.info
    assert "exif" not in image.info
    assert body["url"].endswith(name)
    exercise_body = editor_client.get(f"/api/v1/exercises/{exercise.slug}/").json()
    assert [item["id"] for item in exercise_body["media"]] == [body["id"]]
    assert exercise_body["media_url"] == body["url"]


@STORES
@pytest.mark.parametrize(
    ("data", "name", "content_type", "status", "code"),
    [
        pytest.param(
            executable(), "photo.png", "image/png", 400, "unsupported_media", id="exe_as_png"
        ),
        pytest.param(
            png_bomb(), "bomb.png", "image/png", 413, "too_many_pixels", id="png_bomb_10001"
        ),
        pytest.param(large_png(11), "big.png", "image/png", 413, "too_large", id="picture_11_mb"),
        pytest.param(
            b"GIF89a" + bytes(64), "a.gif", "image/gif", 400, "unsupported_media", id="gif"
        ),
        pytest.param(b"", "empty.jpg", "image/jpeg", 400, "empty", id="empty_file"),
        pytest.param(
            b"\xff\xd8\xff\xe0" + bytes(200),
            "broken.jpg",
            "image/jpeg",
            400,
            "unsupported_media",
            id="jpeg_magic_then_garbage",
        ),
        pytest.param(
            b"\x00\x00\x00\x18ftypqt  \x00\x00\x02\x00qt  " + bytes(64),
            "clip.mp4",
            "video/mp4",
            400,
            "unsupported_media",
            id="quicktime_not_mp4",
        ),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    media_store, editor_client, exercise, data, name, content_type, status, code
):
    response = upload(editor_client, exercise.slug, data, name, content_type)

    assert response.status_code == status, response.content
    assert errors(response) == [(code, "file")]
    nothing_stored(media_store, exercise)


def test_a_picture_over_the_limit_is_cut_off_while_it_streams(editor_client, exercise, media_store):
    """The upload handler stops at 10 MB from the first chunk's type: the view never sees
    the file (the service's own size check would answer the same)."""
    from apps.content import uploads

    seen: list[int] = []
    original = uploads.MediaUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        seen.append(start)
        return original(self, raw_data, start)

    uploads.MediaUploadHandler.receive_data_chunk = spy
    try:
        response = upload(editor_client, exercise.slug, large_png(11), "big.png", "image/png")
    finally:
        uploads.MediaUploadHandler.receive_data_chunk = original
    assert response.status_code == 413
    assert max(seen) <= 10 * 1024 * 1024
    nothing_stored(media_store, exercise)


def test_a_body_announced_over_the_largest_limit_is_refused_before_it_is_read(
    editor_client, exercise, media_store
):
    response = editor_client.post(
        f"/api/v1/exercises/{exercise.slug}/media/",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert errors(response) == [("too_large", "file")]
    nothing_stored(media_store, exercise)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({"alt_text": ""}, [("blank", "alt_text")], id="blank_alt_text"),
        pytest.param({"alt_text": "x" * 301}, [("max_length", "alt_text")], id="alt_text_too_long"),
        pytest.param({"caption": "hi"}, [("unknown_field", "caption")], id="unknown_field"),
        pytest.param(
            {"poster": SimpleUploadedFile("p.jpg", picture((40, 30)), content_type="image/jpeg")},
            [("poster_not_accepted", "poster")],
            id="poster_with_a_picture",
        ),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(
    editor_client, exercise, media_store, fields, expected
):
    response = upload(
        editor_client, exercise.slug, picture((40, 30)), "a.jpg", "image/jpeg", **fields
    )
    assert response.status_code == 400, response.content
    assert errors(response) == expected
    nothing_stored(media_store, exercise)


def test_json_is_not_an_upload(editor_client, exercise, media_store):
    response = editor_client.post(
        f"/api/v1/exercises/{exercise.slug}/media/", {"alt_text": "x"}, format="json"
    )
    assert response.status_code == 415
    nothing_stored(media_store, exercise)


@STORES
def test_a_video_keeps_its_bytes_and_says_what_its_container_says(
    media_store, editor_client, exercise
):
    clip = mp4(width=640, height=360, seconds=12.5)
    poster = jpeg_with_exif_and_gps(size=(160, 90))

    response = upload(
        editor_client,
        exercise.slug,
        clip,
        "clip.mp4",
        "video/mp4",
        poster=SimpleUploadedFile("poster.jpg", poster, content_type="image/jpeg"),
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["content_type"]) == ("video", "video/mp4")
    assert (body["width"], body["height"], body["duration_seconds"]) == (640, 360, 12.5)
    assert body["size_bytes"] == len(clip)
    assert body["renditions"] == []
    video_name, poster_name = sorted(media_store.names(), key=lambda name: "poster" in name)
    assert media_store.read(video_name) == clip
    assert b"SecretCam" not in media_store.read(poster_name)
    assert body["poster_url"].endswith(poster_name)
    assert body["poster_size_bytes"] == len(media_store.read(poster_name))


def test_a_webm_video_is_read_from_its_ebml_header(media_store, editor_client, exercise):
    response = upload(
        editor_client, exercise.slug, webm(width=320, height=240, seconds=3), "a.webm", "video/webm"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content_type"], body["width"], body["height"], body["duration_seconds"]) == (
        "video/webm",
        320,
        240,
        3.0,
    )


def test_a_video_whose_container_says_nothing_more_has_null_sizes(
    media_store, editor_client, exercise
):
    bare = b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom" + bytes(512)
    response = upload(editor_client, exercise.slug, bare, "bare.mp4", "video/mp4")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"], body["duration_seconds"]) == (None, None, None)


@STORES
def test_renditions_are_listed_as_they_are_made(media_store, editor_client, exercise):
    response = upload(editor_client, exercise.slug, picture((1400, 1000)), "a.jpg", "image/jpeg")
    assert response.status_code == 201
    media_id = response.json()["id"]
    detail = f"/api/v1/exercises/{exercise.slug}/"
    first = editor_client.get(detail)
    assert first.json()["media"][0]["renditions"] == []

    assert media_renditions_make(media_id=media_id) == 3

    again = editor_client.get(detail, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200  # the ETag moved with the renditions
    renditions = again.json()["media"][0]["renditions"]
    assert [(r["width"], r["height"], r["content_type"]) for r in renditions] == [
        (320, 229, "image/webp"),
        (640, 457, "image/webp"),
        (1280, 914, "image/webp"),
    ]
    assert all(r["size_bytes"] > 0 for r in renditions)
    assert len(media_store.names()) == 4
    assert media_renditions_make(media_id=media_id) == 0  # twice is once


def test_a_small_picture_needs_no_rendition(media_store, editor_client, exercise):
    response = upload(
        editor_client,
        exercise.slug,
        picture((300, 200), fmt="PNG"),
        "a.png",
        "image/png",
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"
    assert media_renditions_make(media_id=response.json()["id"]) == 0
    assert ExerciseMedia.objects.get().renditions_done_at is not None


@STORES
def test_deleting_removes_the_row_its_renditions_and_its_files(
    media_store, editor_client, exercise, django_capture_on_commit_callbacks
):
    created = upload(
        editor_client, exercise.slug, picture((700, 500)), "a.jpg", "image/jpeg"
    ).json()
    media_renditions_make(media_id=created["id"])
    assert len(media_store.names()) == 3
    etag = editor_client.get(f"/api/v1/exercises/{exercise.slug}/")["ETag"]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.delete(f"/api/v1/exercises/{exercise.slug}/media/{created['id']}/")

    assert response.status_code == 204
    assert ExerciseMedia.objects.count() == 0
    assert MediaRendition.objects.count() == 0
    assert media_store.names() == []
    after = editor_client.get(f"/api/v1/exercises/{exercise.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert after.json()["media"] == []


def test_media_changes_move_the_exercise_for_updated_since(
    media_store, editor_client, api_client, exercise
):
    from django.utils import timezone

    since = timezone.now()
    assert (
        api_client.get("/api/v1/exercises/", {"updated_since": since.isoformat()}).json()["results"]
        == []
    )

    upload(editor_client, exercise.slug, picture((40, 30)), "a.jpg", "image/jpeg")

    results = api_client.get("/api/v1/exercises/", {"updated_since": since.isoformat()}).json()[
        "results"
    ]
    assert [item["slug"] for item in results] == [exercise.slug]
    assert results[0]["media"][0]["alt_text"] == "A person sliding a heel along the floor."


def test_an_exercise_with_media_costs_a_fixed_number_of_queries(
    media_store, editor_client, api_client, django_assert_num_queries
):
    for n in range(3):
        exercise = ExerciseFactory(slug=f"with-media-{n}")
        for _ in range(2):
            item = upload(
                editor_client, exercise.slug, picture((700, 500)), "a.jpg", "image/jpeg"
            ).json()
            media_renditions_make(media_id=item["id"])
    # count, exercises, regions, media, renditions
    with django_assert_num_queries(5):
        body = api_client.get("/api/v1/exercises/").json()
    assert all(len(item["media"]) == 2 for item in body["results"])
