"""Stakeholder groups and imported subscriber rows are plain text when stored."""

import pytest

from app.core import ServiceError
from app.core.uow import unit_of_work
from app.extensions import db
from app.fanout.stakeholders import create_group
from app.fanout.subscriber_csv import import_subscribers
from app.models import Subscriber
from tests.factories import create_component


def test_stakeholder_group_names_are_cleaned(ctx):
    with unit_of_work():
        group = create_group(name="Support\x1b[0m\r\nteam", emails="a@example.com")
    assert group.name == "Support[0m team"


def test_a_group_posted_without_its_members_field_is_refused_not_a_500(ctx):
    # The console form leaves ``emails`` as None when the field is missing from the POST.
    with pytest.raises(ServiceError, match="member address"), unit_of_work():
        create_group(name="Support", emails=None, min_severity="SEV2")


def test_imported_rows_drop_control_characters(ctx):
    create_component(slug="api")
    text = "email,components\r\nada\x00@example.com\x1b,api\x07\r\n\x1bbob@example.com,\r\n"
    with unit_of_work():
        result = import_subscribers(text, consented=True)
    assert result.errors == [] and result.created == 2
    subs = db.session.scalars(db.select(Subscriber).order_by(Subscriber.email)).all()
    assert [s.email for s in subs] == ["ada@example.com", "bob@example.com"]
    assert [c.slug for c in subs[0].components] == ["api"]


def test_import_errors_quote_the_cleaned_cell(ctx):
    with unit_of_work():
        result = import_subscribers("ada@example.com,no\x1bsuch\r\n", consented=True)
    assert result.errors == ["Row 1: unknown components nosuch"]
