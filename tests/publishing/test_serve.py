"""The in-memory read path answers exactly as werkzeug's ``make_conditional`` did."""

import pytest
from werkzeug.http import http_date
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Request, Response

from app.extensions import db
from app.headers import security_headers
from app.models import PublishedArtifact
from app.publishing.publish import publish_site
from tests.factories import create_component, create_incident

SUFFIX = {"identity": "", "gzip": "-gz", "br": "-br"}
ACCEPT = {"identity": None, "gzip": "gzip, deflate", "br": "gzip, deflate, br, zstd"}


def _body(row, coding):
    return {"identity": row.body, "gzip": row.body_gzip, "br": row.body_br}[coding]


def _reference(row, coding, environ):
    """The response werkzeug's ``make_conditional`` builds for one stored encoding."""
    response = Response(_body(row, coding), content_type=row.content_type)
    response.set_etag(row.etag + SUFFIX[coding])
    response.last_modified = row.modified_at
    response.headers["Cache-Control"] = "public, max-age=10, stale-while-revalidate=60"
    if row.path.startswith("/api/v2/"):
        response.headers["Access-Control-Allow-Origin"] = "*"
    mimetype = row.content_type.split(";")[0].strip()
    response.headers.update(security_headers(row.body, mimetype, framed=True))
    if coding != "identity":
        response.headers["Content-Encoding"] = coding
    response.headers["Vary"] = "Accept-Encoding"  # every artifact today is text
    app_iter, status, headers = run_wsgi_app(response.make_conditional(Request(environ)), environ)
    return status, list(headers), b"".join(app_iter)


def _cases(row, coding):
    etag, modified = f'"{row.etag}{SUFFIX[coding]}"', http_date(row.modified_at)
    return [
        {},
        {"If-None-Match": etag},
        {"If-None-Match": f"W/{etag}"},
        {"If-None-Match": "*"},
        {"If-None-Match": f'"other", {etag}'},
        {"If-None-Match": '"other"'},
        {"If-None-Match": f'"{row.etag}-zz"'},
        {"If-None-Match": '"other"', "If-Modified-Since": modified},
        {"If-None-Match": "", "If-Modified-Since": modified},
        {"If-Modified-Since": modified},
        {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
        {"If-Modified-Since": "not a date"},
        {"If-Match": etag},
        {"If-Match": '"other"'},
        {"Range": "bytes=0-5"},
    ]


@pytest.fixture
def site(ctx):
    api = create_component()
    incident = create_incident(title="Old one", components=[api], updates=[("Done.", "")])
    publish_site()
    hot = ["/", "/api/v2/status.json", "/api/v2/summary.json", "/history.atom", "/badge.svg"]
    return [*hot, f"/incidents/{incident.public_id}"]


def test_the_fast_path_sends_werkzeugs_status_headers_and_body(app, site):
    client = Client(app)
    for path in site:
        row = db.session.scalar(db.select(PublishedArtifact).filter_by(path=path))
        for wanted, accept in ACCEPT.items():
            # What the client prefers among what is stored (status.json is too small to gain).
            chain = {"br": ("br", "gzip", "identity"), "gzip": ("gzip", "identity")}
            coding = next(c for c in chain.get(wanted, ("identity",)) if _body(row, c))
            for method in ("GET", "HEAD"):
                for headers in _cases(row, coding):
                    if accept:
                        headers = {**headers, "Accept-Encoding": accept}
                    environ = EnvironBuilder(
                        path=path, method=method, headers=headers
                    ).get_environ()
                    want_status, want_headers, want_body = _reference(row, coding, environ)
                    got = client.open(path, method=method, headers=headers)
                    case = (path, method, headers)
                    assert got.status == want_status, case
                    assert got.data == want_body, case
                    names = [name for name, _ in got.headers]
                    assert names == [name for name, _ in want_headers], case
                    assert [h for h in got.headers if h[0] != "Date"] == [
                        h for h in want_headers if h[0] != "Date"
                    ], case
