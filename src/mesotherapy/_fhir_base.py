"""What every resource of the FHIR exports is built from: names, ids, entries and text.

The identifier systems and canonical URLs of one export hang off one base URI (`Names`);
ids are uuid5 ``urn:uuid`` values (`urn`), never random; each resource goes into the
Bundle as an `entry` whose ``fullUrl`` gives its id, with a generated `narrative`.
`mesotherapy.fhir` builds the plan's resources from these, `_fhir_rules` the rule set's.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs

from ._errors import ClientError
from ._model import Area
from ._rules import RuleSet
from ._uuid5 import namespaced

URN_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.invalid/mesotherapy/fhir")
"""The root of every ``urn:uuid`` the FHIR exports derive (uuid5): the same content, the same id."""

DEFAULT_BASE: Final = "urn:mesotherapy"
"""The base URI of the identifier systems and canonical URLs when the clinic gives none."""

_URI: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s|#]+")
"""An absolute URI: a scheme, then no space, no ``|`` (canonical versions) and no ``#``."""


_JOINED: dict[tuple[str, tuple[str, ...]], str] = {}
_JOINED_MOST: Final = 4096
"""How many names `Names.join` keeps (an export joins a handful, the same in every plan)."""


@attrs.frozen
class Names:
    """The identifier systems and canonical URLs of one export, under one base URI."""

    base: str
    patient_system: str | None
    rules: RuleSet

    def join(self, *parts: str) -> str:
        """*parts* under the base: ``:``-joined under a ``urn:``, else ``/``-joined."""
        # Kept by value: an export of a plan joins the same few names a score of times.
        key = (self.base, parts)
        found = _JOINED.get(key)
        if found is None:
            sep = ":" if self.base.lower().startswith("urn:") else "/"
            if len(_JOINED) >= _JOINED_MOST:
                _JOINED.clear()
            found = _JOINED[key] = sep.join([self.base, *(_quoted(part) for part in parts)])
        return found

    def system(self, kind: str) -> str:
        return self.join(kind)

    @property
    def client_system(self) -> str:
        return self.patient_system or self.join("client")

    @property
    def rule_system(self) -> str:
        return self.join("rules", self.rules.name)

    @property
    def activity(self) -> str:
        """The canonical URL of the ActivityDefinition of a session (without version)."""
        return self.join("ActivityDefinition", f"{self.rules.name}-session")

    def protocol(self, area: Area) -> str:
        """The canonical URL of the PlanDefinition of *area*'s protocol (without version)."""
        return self.join("PlanDefinition", f"{self.rules.name}-{area.value}")

    def versioned(self, url: str) -> str:
        """A canonical reference to *url* as this rule set's version defines it."""
        return f"{url}|{self.rules.version}"


def names_under(rules: RuleSet, base_uri: object, patient_system: object) -> Names:
    """The names of an export under *base_uri* (default `DEFAULT_BASE`), both URIs checked.

    >>> from mesotherapy import default_rules
    >>> names_under(default_rules(), "https://clinic.example/fhir", None).system("plan")
    'https://clinic.example/fhir/plan'

    Raises:
        ClientError: *base_uri* or *patient_system* is no absolute URI, or the base ends
            with ``/`` or ``:``.
    """
    base = DEFAULT_BASE if base_uri is None else _uri(base_uri, "base_uri")
    if base.endswith(("/", ":")):
        msg = f"base_uri: expected a URI without a trailing '/' or ':', got {base!r}"
        raise ClientError(msg)
    system = None if patient_system is None else _uri(patient_system, "patient_system")
    return Names(base=base, patient_system=system, rules=rules)


def _uri(value: object, field: str) -> str:
    if not isinstance(value, str) or not _URI.fullmatch(value):
        msg = (
            f"{field}: expected an absolute URI such as 'https://clinic.example/fhir' "
            f"(a scheme, no spaces, no '|' or '#'), got {value!r}"
        )
        raise ClientError(msg)
    return value


def narrative(lines: list[str]) -> dict[str, str]:
    """A generated narrative: one XHTML paragraph a line (dom-6)."""
    paragraphs = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
    }


def sentence(text: str) -> str:
    """*text* ending with one full stop."""
    return text.rstrip(". ") + "."


def entry(url: str, resource: dict[str, Any]) -> dict[str, Any]:
    """An entry whose resource's id is the uuid of its ``fullUrl``."""
    return {
        "fullUrl": url,
        "resource": {"resourceType": resource["resourceType"]}
        | {"id": url.removeprefix("urn:uuid:")}
        | resource,
    }


def canonical_json(value: object) -> str:
    """*value* as JSON text that never varies: keys sorted, no spaces."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def canonical_spliced(fields: Mapping[str, Any], written: Mapping[str, str]) -> str:
    """`canonical_json` of *fields*, with the value of each key of *written* given as text.

    The same text: JSON writes an object as its pairs, sorted by key, joined by commas;
    the runs of pairs between the keys of *written* are written by `canonical_json`, and
    the texts given (kept by the caller: a clinic's, say) are put between them.

    >>> fields = {"b": [1], "a": {"y": 1, "x": 2}, "é": None, "c": "d"}
    >>> texts = {"a": canonical_json(fields["a"]), "c": '"d"'}
    >>> canonical_spliced(fields, texts) == canonical_json(fields)
    True
    """
    parts: list[str] = []
    run: dict[str, Any] = {}
    for key in sorted(fields):
        if key in written:
            if run:
                parts.append(canonical_json(run)[1:-1])
                run = {}
            parts.append(f"{_quoted_key(key)}:{written[key]}")
        else:
            run[key] = fields[key]
    if run:
        parts.append(canonical_json(run)[1:-1])
    return "{" + ",".join(parts) + "}"


_quoted_key = json.encoder.encode_basestring_ascii  # a text as `canonical_json` writes it


@functools.lru_cache(maxsize=4096)
def _quoted(part: str) -> str:
    """*part* percent-encoded for a URI path (a handful of names, quoted once each)."""
    return urllib.parse.quote(part, safe="-._~")


_urn_uuid: Final = namespaced(str(URN_NAMESPACE), hashlib.sha1)  # OpenSSL's: long snapshots


@functools.lru_cache(maxsize=8192)  # a plan's ids recur in every export of it
def urn(name: str) -> str:
    """The ``urn:uuid`` of *name* under `URN_NAMESPACE`: ``uuid.uuid5``'s, as text.

    >>> urn("x") == f"urn:uuid:{uuid.uuid5(URN_NAMESPACE, 'x')}"
    True
    """
    return "urn:uuid:" + _urn_uuid(name)


def unkept_urn(name: str) -> str:
    """`urn` of a name met once (a Bundle's snapshot, some 2 KB of text): not kept.

    A snapshot names one export of one revision of a plan; kept, each would stay with
    the few thousand names `urn` keeps and push out the resources' names, which recur.

    >>> unkept_urn("x") == urn("x")
    True
    """
    return "urn:uuid:" + _urn_uuid(name)


# --- The order of the dump ----------------------------------------------------------------------

_INSTANT: Final = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?[+-]\d\d:\d\d")
"""A date and time with its offset, as the builders write instants."""

_UTC_PROBE: Final = "2000-01-01T00:00:00+00:00"
"""An instant in UTC, which ``fhir.resources`` dumps with ``Z`` where the field is a time."""

_SHAPES_KEPT: Final = 4096
"""How many shapes of resource `learn_order` keeps the order of."""

_orders: dict[object, object] = {}
_UNKNOWN: Final = object()
"""The order of the dump of each shape of resource (`learn_order`), by shape."""


def _shape(node: object) -> object:
    """What decides the dump's order and form: the keys at every level, the leaves' types."""
    # By exact type, text leaves inline: a fifth of `to_fhir` was this walk. A dict or
    # list of a subclass reads as a leaf here, whose shape no dump taught: the validated way.
    kind = type(node)
    if kind is dict:
        return tuple(
            [
                (key, str if type(value) is str else _shape(value))
                for key, value in node.items()  # type: ignore[attr-defined]
            ]
        )
    if kind is list:
        return ("list", *[str if type(value) is str else _shape(value) for value in node])  # type: ignore[attr-defined]
    return kind


def _order_of(dumped: object, probed: object) -> object:
    """The template of *dumped*: its keys in order; ``"Z"`` where the probe came back in UTC."""
    if isinstance(dumped, dict) and isinstance(probed, dict):
        return ("dict", tuple((k, _order_of(v, probed.get(k))) for k, v in dumped.items()))
    if isinstance(dumped, list) and isinstance(probed, list):
        return ("list", tuple(_order_of(v, p) for v, p in zip(dumped, probed, strict=True)))
    return "Z" if probed == _UTC_PROBE.replace("+00:00", "Z") else None


def _pruned(node: Any, template: Any) -> Any:
    """*template*, each part that would leave *node*'s part as it is made ``None``.

    The builders write most of a resource in the dump's order already: `_ordered` then
    walks only down to what it changes (a reordered dict). They write an instant in UTC
    as the dump does (``Z``, `mesotherapy._fhir_plan.dumped_instant`), so a ``"Z"`` part
    changes nothing either (`learn_order` keeps an order only where that gives the dump).
    """
    if type(template) is not tuple:
        return None
    kind, parts = template
    if kind == "dict":
        pairs = tuple((key, _pruned(node[key], part)) for key, part in parts)
        if tuple(node) == tuple(key for key, _ in pairs) and all(p is None for _, p in pairs):
            return None
        return kind, pairs
    kept = tuple(_pruned(value, part) for value, part in zip(node, parts, strict=True))
    if all(part is None for part in kept):
        return None
    return kind, kept


def _ordered(node: Any, template: Any) -> Any:
    if type(template) is tuple:
        kind, parts = template
        # The node has the shape the template was learnt for: as many items as parts.
        if kind == "dict":
            return {
                key: node[key] if part is None else _ordered(node[key], part) for key, part in parts
            }
        return [
            value if part is None else _ordered(value, part)
            for value, part in zip(node, parts, strict=True)
        ]
    if template is None:
        return node
    return f"{node[:-6]}Z" if node.endswith("+00:00") else node


def _probe(node: Any) -> Any:
    """*node* with every instant the UTC probe: its dump says which fields are times."""
    if isinstance(node, dict):
        return {key: _probe(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_probe(value) for value in node]
    return _UTC_PROBE if isinstance(node, str) and _INSTANT.fullmatch(node) else node


def as_dumped(item: dict[str, Any]) -> dict[str, Any] | None:
    """The entry *item* as the validated Bundle dumps it, if its shape's order is known.

    Only the order of the keys and the form of instants in UTC (``Z``) differ between the
    JSON the builders write and the dump of ``fhir.resources``; `learn_order` learns both
    for each shape of entry from one dump of it.
    """
    signature = _signature(item)
    template = _UNKNOWN if signature is None else _by_signature.get(signature, _UNKNOWN)
    if template is _UNKNOWN:  # a signature not met yet: the walk finds the shape's order
        template = _orders.get(_shape(item), _UNKNOWN)
        if template is _UNKNOWN:
            return None
        if signature is not None:
            if len(_by_signature) >= _SHAPES_KEPT:
                _by_signature.clear()
            _by_signature[signature] = template
    ordered: dict[str, Any] = _ordered(item, template)  # the item itself if in order already
    return ordered


_by_signature: dict[object, object] = {}
"""The learnt order of each `_signature` met, found once by the walk of `_shape`."""


def _signature(item: dict[str, Any]) -> object:
    """What sets the shape of a plan's CarePlan, ServiceRequest or Appointment; else None.

    `_shape` walks the whole entry (a fifth of a first `to_fhir`, when it ran per call);
    the builders of `_fhir_plan` fix every part of these three resources but the parts
    read here (which keys, how many items, the types of the leaves that vary), so entries
    with one signature have one shape: each signature's order is found by the walk once.
    ``test_export_text`` checks that on generated plans in every state, booked or not.
    """
    resource = item["resource"]
    kind = resource["resourceType"]
    if type(resource) is not dict:  # a subclass reads as a leaf to `_shape`: walk it
        return None
    if kind == "Appointment":
        return (
            kind,
            tuple(resource),
            tuple(resource["subject"]),
            tuple([tuple(p["actor"]) for p in resource["participant"]]),
            type(resource["identifier"][0]["value"]),
        )
    if kind == "CarePlan":
        return (
            kind,
            tuple(resource),
            tuple(resource["subject"]),
            len(resource["instantiatesCanonical"]),
            len(resource["activity"]),
            len(resource.get("note", ())),
            type(resource["identifier"][0]["value"]),
        )
    if kind == "ServiceRequest":
        return (
            kind,
            tuple(resource),
            tuple(resource["subject"]),
            tuple([tuple(site) for site in resource["bodySite"]]),
            tuple(map(type, resource["occurrenceTiming"]["repeat"].values())),
        )
    return None


def learn_order(items: list[dict[str, Any]], dumped: list[dict[str, Any]]) -> None:
    """Learn the order of the dump of each entry of *items* from its validated *dumped* form.

    An entry's order is kept only where the dump holds the very values the entry does
    (the order of the keys and ``Z`` for UTC aside), so that `as_dumped` gives exactly
    the dump; the form of instants is learnt from one more dump, of the entry with every
    instant in UTC.
    """
    import fhir.resources  # noqa: PLC0415 - the extra, imported by the caller already

    for item, dump in zip(items, dumped, strict=True):
        resource = item["resource"]
        model = fhir.resources.get_fhir_model_class(resource["resourceType"])
        try:
            probed = model.model_validate(_probe(resource)).model_dump(mode="json")
        except ValueError:  # the probe's instants are no valid times there: learn nothing
            continue
        template = _order_of(dump, {"fullUrl": item["fullUrl"], "resource": probed})
        template = _pruned(item, template)
        if json.dumps(_ordered(item, template)) == json.dumps(dump):
            if len(_orders) >= _SHAPES_KEPT:  # a bound, which plans of one clinic never reach
                _orders.clear()
                _by_signature.clear()
            _orders[_shape(item)] = template
