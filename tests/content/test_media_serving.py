"""Files of the filesystem store are served by the app at MEDIA_URL (so a local run shows
pictures): a stored file with a long cache, never a folder listing or a path outside."""

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.content.services import exercise_media_add
from tests.factories import ExerciseFactory
from tests.media import picture


def test_a_stored_picture_is_served_and_nothing_else(client, media_store, db):
    item = exercise_media_add(
        exercise=ExerciseFactory(),
        file=SimpleUploadedFile("x.png", picture((20, 10), fmt="PNG")),
        alt_text="A stretch.",
    )

    response = client.get(item.file.url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == media_store.read(item.file.name)
    assert client.get("/media/exercises/").status_code == 404
    assert client.get("/media/../manage.py").status_code in (400, 404)
    assert client.get("/media/exercises/nothing-here.jpg").status_code == 404
