"""Helpers the language tests share: a client for a user who speaks a language, and the
one error of a refusal."""

from tests.conftest import client_for


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return client_for(user)


def only_error(response, status):
    assert response.status_code == status, response.content
    [error] = response.json()["errors"]
    return error
