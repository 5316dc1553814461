"""Errors in the caller's language: a body too large is refused with a 413 before it is read;
a 405 says which methods the address takes."""

from werkzeug.exceptions import MethodNotAllowed

from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user

MIB = 1024 * 1024


def test_a_body_over_the_limit_is_a_413_in_json_under_webhooks(app, client):
    body = b"[" + b" " * (2 * MIB) + b"]"
    response = client.post("/webhooks/sendgrid", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == 413
    assert "at most 1 MiB" in response.json["error"]["message"]


def test_a_body_over_the_limit_is_a_413_page_elsewhere(client):
    response = client.post("/subscribe", data={"email": "x" * (2 * MIB)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "too large" in response.get_data(as_text=True)


def test_the_limit_is_a_setting(app_factory):
    client = app_factory(MAX_CONTENT_LENGTH=1000).test_client()
    response = client.post("/subscribe", data={"email": "x" * 2000})
    assert response.status_code == 413


def test_the_subscriber_import_takes_bigger_files(client, ctx, outbox):
    create_user(email="admin@example.com", role="admin")
    login(client, "admin@example.com", PASSWORD)
    pad = "x" * 600  # columns past the second are ignored
    rows = "".join(f"reader{i}@example.com,,{pad}\n" for i in range(2000))  # ~1.2 MiB
    token = csrf_token(client, "/admin/subscribers/import")
    # Encoded here: the test client would spool a body this big to a file it never closes.
    body = (
        f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        '--b\r\nContent-Disposition: form-data; name="consented"\r\n\r\ny\r\n'
        '--b\r\nContent-Disposition: form-data; name="file"; filename="subs.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{rows}\r\n--b--\r\n"
    ).encode()
    response = client.post(
        "/admin/subscribers/import", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    too_big = b"x" * (21 * MIB)  # refused on its Content-Length, before any parsing
    response = client.post(
        "/admin/subscribers/import", data=too_big, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413 and "20 MiB" in response.get_data(as_text=True)


def test_every_405_says_which_methods_the_address_takes(app, client):
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, "1"))  # int or word
        try:
            adapter.match(url, method="TRACE")
        except MethodNotAllowed as exc:
            allowed = set(exc.valid_methods)
        else:
            raise AssertionError(f"{url} takes TRACE")
        response = client.open(url, method="TRACE")
        assert response.status_code == 405, url
        header = {method.strip() for method in response.headers.get("Allow", "").split(",")}
        assert header == allowed, (url, response.headers.get("Allow"))
