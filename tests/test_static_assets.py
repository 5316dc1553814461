"""Static assets: content-hashed URLs, cached for a year as immutable, on published pages too."""

import hashlib
import re
from pathlib import Path

from app.extensions import db
from app.publishing.publish import publish_site

ROOT = Path(__file__).resolve().parent.parent


def test_published_pages_name_assets_by_their_content_and_they_are_immutable(app, client):
    with app.app_context():
        publish_site()
        db.session.commit()
    html = client.get("/").get_data(as_text=True)
    (css,) = re.findall(r'href="(/static/crier\.css[^"]*)"', html)
    digest = hashlib.sha256((ROOT / "static" / "crier.css").read_bytes()).hexdigest()[:12]
    assert css == f"/static/crier.css?v={digest}"
    with client.get(css) as response:
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "public" in cache
    assert "no-cache" not in cache


def test_an_asset_without_the_current_hash_is_cached_briefly(client):
    for url in ("/static/crier.css", "/static/crier.css?v=000000000000"):
        with client.get(url) as response:
            cache = response.headers["Cache-Control"]
        assert "immutable" not in cache and "max-age=300" in cache, url
