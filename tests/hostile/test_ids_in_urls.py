"""Ids, numbers and tokens at their edges in every URL that takes one: a 4xx, never a 500."""

from urllib.parse import quote

import pytest

from tests.hostile.helpers import assert_clear_answer, post_form

ODD_IDS = ["9" * 25, "-1", "0", "²", "٣", "1e400", "\u202e1"]
GET_URLS = [
    "/admin/incidents/{}",
    "/admin/incidents/{}/updates/new",
    "/admin/incidents/{}/timeline.md",
    "/admin/incidents/{}/dispatches",
    "/admin/components/{}/edit",
    "/admin/maintenance/{}/edit",
    "/admin/templates/{}/edit",
    "/admin/stakeholders/{}",
    "/history/{}",
    "/components/{}/history",
    "/components/api/history/{}",
    "/incidents/{}",
    "/api/v2/{}",
    "/manage/{}",
    "/u/{}",
    "/confirm/{}",
]
POST_URLS = [
    "/admin/users/{}",
    "/admin/dispatches/{}/retry",
    "/admin/stakeholders/{}/delete",
    "/admin/templates/{}/delete",
    "/admin/components/{}/delete",
    "/admin/groups/{}/delete",
    "/admin/incidents/{}/snooze",
]


@pytest.mark.parametrize("odd", ODD_IDS)
def test_odd_ids_in_urls_get_a_clear_answer(client, world, odd):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/admin/settings")
    segment = quote(odd, safe="")
    for url in GET_URLS:
        assert_clear_answer(client.get(url.format(segment)), url)
    for url in POST_URLS:
        assert_clear_answer(post_form(client, url.format(segment), {"csrf_token": token}), url)
