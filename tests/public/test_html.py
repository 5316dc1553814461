"""The published pages are valid HTML: no HTML5 parse errors, tags nest and close, unique ids."""

from html.parser import HTMLParser

import html5lib

from app.core.uow import unit_of_work
from app.demo import seed_demo
from app.extensions import db
from app.models import PublishedArtifact
from app.publishing.publish import publish_site

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.problems, self.doctype = [], set(), [], False

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                if value in self.ids:
                    self.problems.append(f"duplicate id {value!r}")
                self.ids.add(value)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1:]}")
            return
        self.stack.pop()


def test_every_published_page_is_well_formed(ctx):
    with unit_of_work():
        seed_demo(past_incidents=30)
    publish_site()
    pages = db.session.scalars(
        db.select(PublishedArtifact).where(PublishedArtifact.content_type.like("text/html%"))
    ).all()
    assert len(pages) > 30
    for page in pages:
        html5lib.HTMLParser(strict=True).parse(page.body)  # raises on any parse error
        checker = Checker()
        checker.feed(page.body.decode())
        checker.close()
        assert checker.doctype, page.path
        assert checker.problems == [], page.path
        assert checker.stack == [], f"{page.path}: unclosed {checker.stack}"
