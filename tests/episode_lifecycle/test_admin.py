"""Staff read episodes and goals in the admin; nobody edits them there."""

import pytest

from tests.factories import GoalFactory


@pytest.mark.django_db
def test_staff_read_episodes_but_cannot_add_change_or_delete(staff_browser):
    goal = GoalFactory()
    episode = goal.episode

    listing = staff_browser.get("/admin/episodes/episode/")
    page = staff_browser.get(f"/admin/episodes/episode/{episode.pk}/change/")

    assert listing.status_code == 200
    assert episode.title in listing.content.decode()
    assert page.status_code == 200
    assert goal.description in page.content.decode()
    assert staff_browser.get("/admin/episodes/episode/add/").status_code == 403
    assert staff_browser.post(f"/admin/episodes/episode/{episode.pk}/delete/").status_code == 403
    assert (
        staff_browser.post(
            f"/admin/episodes/episode/{episode.pk}/change/", {"title": "Changed"}
        ).status_code
        == 403
    )
    episode.refresh_from_db()
    assert episode.title != "Changed"
