"""The publish's shortcuts write exactly the bytes the plain way writes."""

import json

from hypothesis import given
from hypothesis import strategies as st

from app.core.text import printable
from app.publishing.site import _json

# Texts as stored rows may hold them: every control, C1, surrogate and noncharacter, and the
# backslashes that could pass for an escape in the JSON text.
TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0xA0),
        st.sampled_from("\\bfrnu0\r\n\t\u2028\ud800\udfff\ufffe\uffffé"),
    ),
    max_size=12,
)
DOCUMENT = st.recursive(
    st.one_of(TEXT, st.integers(), st.none(), st.booleans()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(DOCUMENT)
def test_json_document_is_the_cleaned_document(document):
    plain = json.dumps(printable(document), ensure_ascii=False, separators=(",", ":")).encode()
    assert _json("/api/v2/x.json", document).body == plain


def test_json_document_cleans_each_character_alone():
    # One unclean character in an otherwise clean document must not slip past the shortcut.
    for char in [*map(chr, range(0xA1)), "\u2028", "\ud800", "\udfff", "\ufffe", "\uffff"]:
        for document in ({"name": f"a{char}b"}, {f"k{char}": [1, f"\\{char}"]}):
            plain = json.dumps(printable(document), ensure_ascii=False, separators=(",", ":"))
            assert _json("/api/v2/x.json", document).body == plain.encode(), repr(char)
