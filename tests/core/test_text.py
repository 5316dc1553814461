"""The one cleaning every typed or imported text goes through."""

import pytest

from app.core.settings import update_settings
from app.core.text import clean_line, clean_text, printable
from app.core.uow import unit_of_work
from app.core.users import create_user
from tests.factories import create_user as make_user

PASTED = "\x1b[31mERROR\x1b[0m\x00 disk\x7f full\x85\x9b\ufffe"


def test_clean_text_drops_c0_c1_del_and_xml_refused_characters_but_keeps_tab_and_newline():
    assert clean_text(PASTED) == "[31mERROR[0m disk full"
    assert clean_text("a\tb\nc") == "a\tb\nc"
    assert clean_text("café ☕ 𝄞") == "café ☕ 𝄞"


def test_clean_text_normalises_crlf_and_cr_to_lf():
    assert clean_text("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_clean_text_drops_lone_surrogates():
    assert clean_text("a\ud800b\udfffc") == "abc"
    clean_text("a\ud800b").encode()  # what broke the encoding of every page


@pytest.mark.parametrize("empty", [None, ""])
def test_clean_text_of_nothing_is_empty(empty):
    assert clean_text(empty) == ""


def test_clean_line_makes_one_trimmed_line():
    assert clean_line("  Title\r\nsecond\tpart\u2028third \x1b ") == "Title second part third"


def test_printable_cleans_every_string_in_a_document():
    doc = {"page\x1b": {"name": "A\x07", "items": [1, "b\x00", None, ("c\x1b",)]}}
    assert printable(doc) == {"page": {"name": "A", "items": [1, "b", None, ["c"]]}}


def test_settings_page_name_and_urls_are_cleaned(ctx):
    admin = make_user(role="admin", email="admin@example.com")
    with unit_of_work():
        settings = update_settings(
            actor=admin,
            page_name="Acme\x1b[0m\nStatus",
            public_url="https://status.example.com\x07",
        )
    assert settings.page_name == "Acme[0m Status"
    assert settings.public_url == "https://status.example.com"


def test_user_names_are_cleaned(ctx):
    with unit_of_work():
        user = create_user("ada@example.com", password="x" * 12, name="Ada\x1b[1m\r\nLovelace")
    assert user.name == "Ada[1m Lovelace"


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_clean_line_drops_every_bidirectional_override_and_isolate():
    """A right-to-left override makes "Refund‮gpj.exe" read as "Refundexe.jpg": no title or
    name may reorder what follows it."""
    assert clean_line(f"Refund\u202egpj.exe{BIDI}") == "Refundgpj.exe"
    assert clean_line("שלום world") == "שלום world"  # right-to-left text itself stays


def test_clean_text_makes_unicode_line_and_paragraph_separators_newlines():
    assert clean_text("one\u2028two\u2029three") == "one\ntwo\nthree"
