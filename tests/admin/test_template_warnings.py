"""The template editor warns of variables that would render empty for its kind and state."""

from tests.conftest import csrf_token


def test_the_editor_warns_of_variables_empty_for_the_kind_and_state(client, as_admin):
    url = "/admin/templates/new"
    data = {
        "csrf_token": csrf_token(client, url),
        "name": "Mine",
        "kind": "incident",
        "state": "investigating",
        "audience": "external",
        "subject": "Investigating",
        "body": "Resolved at {{ resolved_at }}, window {{ scheduled_for }}.",
        "preview": "Preview",
    }
    html = client.post(url, data=data).get_data(as_text=True)
    assert "{{ resolved_at }} for incidents in the investigating state" in html
    assert "{{ scheduled_for }} for incidents in the investigating state" in html
    data["body"], data["state"] = "Resolved at {{ resolved_at }}.", "resolved"
    assert " state: " not in client.post(url, data=data).get_data(as_text=True)
