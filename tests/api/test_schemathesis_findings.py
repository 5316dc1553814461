"""What schemathesis found where /api/v1 answered otherwise than its OpenAPI document says,
each pinned here."""

import pytest

PAGE = "/api/v1/pages/crier"
LISTS = ["/incidents", "/incidents/upcoming", "/components", "/component-groups", "/subscribers"]


@pytest.mark.parametrize("path", LISTS)
def test_paging_past_the_documented_maximum_is_a_400_not_a_silent_cap(client, admin_key, path):
    # negative_data_rejection: limit=101 and page=1001 were answered as limit=100 and as
    # page 1000000 (the document says 1..100 and 1..1000).
    for query, status in (("limit=101", 400), ("page=1001", 400), ("limit=100&page=1000", 200)):
        response = client.get(f"{PAGE}{path}?{query}", headers=admin_key)
        assert response.status_code == status, (query, response.json)
    error = client.get(f"{PAGE}{path}?limit=101", headers=admin_key).json["error"]
    assert error == "“limit” must be a whole number from 1 to 100."


@pytest.mark.parametrize(("path", "most"), [("/incidents", 200), ("/subscribers", 254)])
def test_a_search_past_its_documented_length_is_a_400_not_cut_short(client, admin_key, path, most):
    # negative_data_rejection: a longer q was cut to its first characters and searched.
    assert client.get(f"{PAGE}{path}?q={'x' * most}", headers=admin_key).status_code == 200
    response = client.get(f"{PAGE}{path}?q={'x' * (most + 1)}", headers=admin_key)
    assert response.status_code == 400
    assert response.json["error"] == f"“q” is longer than {most} characters."
