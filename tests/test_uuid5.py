"""The uuid5 texts the library derives its ids from are the standard library's."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mesotherapy._uuid5 import namespaced


@given(st.uuids(), st.text(max_size=80))
def test_a_name_gives_the_text_of_uuid5(namespace: uuid.UUID, name: str) -> None:
    expected = str(uuid.uuid5(namespace, name))
    assert namespaced(str(namespace))(name) == expected  # CPython's own SHA-1
    assert namespaced(str(namespace), hashlib.sha1)(name) == expected  # OpenSSL's


@given(st.uuids(), st.lists(st.text(max_size=20), min_size=2, max_size=6))
def test_the_names_of_one_namespace_do_not_feed_each_other(
    namespace: uuid.UUID, names: list[str]
) -> None:
    of = namespaced(str(namespace))
    assert [of(name) for name in names] == [str(uuid.uuid5(namespace, n)) for n in names]


def test_a_lone_surrogate_is_refused_as_uuid5_refuses_it() -> None:
    with pytest.raises(UnicodeEncodeError):
        uuid.uuid5(uuid.NAMESPACE_URL, "\ud800")
    with pytest.raises(UnicodeEncodeError):
        namespaced(str(uuid.NAMESPACE_URL))("\ud800")
