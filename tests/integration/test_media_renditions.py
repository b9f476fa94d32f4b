"""Renditions of an uploaded picture, made by a real Celery worker after the upload's
commit, on the filesystem and on a real local S3 server (moto's server mode): the API
lists them once the worker has stored them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import client_for
from tests.factories import EditorFactory, ExerciseFactory
from tests.media import picture
from tests.workers import wait_until

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("media_store", ["filesystem", "s3"], indirect=True)
def test_a_real_worker_makes_the_renditions_and_the_api_lists_them(
    start_worker, media_store, transactional_db
):
    start_worker(extra_env=media_store.env)
    client = client_for(EditorFactory())
    exercise = ExerciseFactory(slug="heel-slide")

    response = client.post(
        f"/api/v1/exercises/{exercise.slug}/media/",
        {
            "file": SimpleUploadedFile("x.jpg", picture((1400, 1000)), content_type="image/jpeg"),
            "alt_text": "A heel sliding along the floor.",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["renditions"] == []

    def listed():
        body = client.get(f"/api/v1/exercises/{exercise.slug}/").json()
        renditions = body["media"][0]["renditions"]
        return renditions if len(renditions) == 3 else None

    renditions = wait_until(listed, timeout=90, what="three renditions")
    assert [r["width"] for r in renditions] == [320, 640, 1280]
    names = media_store.names()
    assert len(names) == 4
    for rendition in renditions:
        assert any(rendition["url"].endswith(name) for name in names)
