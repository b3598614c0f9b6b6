"""Every provenance quote occurs exactly at its offsets in the stored source text, and the text is the one hashed."""

from __future__ import annotations

import hashlib

import pytest
from rdflib import URIRef

from ctgraph.load import load_graph
from ctgraph.namespaces import CTG, OA, PROV, RDF, RDFS, SCHEMA, SPDX
from ctgraph.paths import resolve_layout

from .helpers import REPO


@pytest.fixture(scope="module")
def kg():  # noqa: ANN201
    return load_graph(resolve_layout(REPO))


def _spans(kg) -> list[tuple[URIRef, str, int, int, str | None, str | None, URIRef]]:  # noqa: ANN001
    g = kg.union
    out = []
    for span in g.subjects(RDF.type, OA.SpecificResource):
        quote = next(s for s in g.objects(span, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in g)
        position = next(s for s in g.objects(span, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in g)
        out.append((
            span,
            str(g.value(quote, OA.exact)),
            int(g.value(position, OA.start)),
            int(g.value(position, OA.end)),
            None if g.value(quote, OA.prefix) is None else str(g.value(quote, OA.prefix)),
            None if g.value(quote, OA.suffix) is None else str(g.value(quote, OA.suffix)),
            g.value(span, OA.hasSource),
        ))
    return out


def _text_of(kg, document: URIRef) -> str:  # noqa: ANN001
    stored = kg.union.value(document, CTG.storedAt)
    assert stored is not None, f"{document} has no ctg:storedAt"
    return (REPO / str(stored)).read_text(encoding="utf-8")


def test_every_quote_occurs_exactly_at_its_offsets(kg) -> None:  # noqa: ANN001
    spans = _spans(kg)
    assert len(spans) >= 20, "expected a span for the title, each sentence and each of the ten priorities"
    for span, exact, start, end, prefix, suffix, document in spans:
        text = _text_of(kg, document)
        assert 0 <= start < end <= len(text), span
        assert text[start:end] == exact, f"{span}: text[{start}:{end}] is {text[start:end]!r}, not {exact!r}"
        if prefix is not None:
            assert text[:start].endswith(prefix), f"{span}: prefix does not precede the quote"
        if suffix is not None:
            assert text[end:].startswith(suffix), f"{span}: suffix does not follow the quote"


def test_stored_text_matches_its_recorded_sha256_and_length(kg) -> None:  # noqa: ANN001
    documents = set(kg.union.subjects(CTG.storedAt, None))
    assert documents, "no source document with a stored text"
    for document in documents:
        stored = REPO / str(kg.union.value(document, CTG.storedAt))
        checksum = kg.union.value(document, SPDX.checksum)
        assert str(kg.union.value(checksum, SPDX.checksumValue)) == hashlib.sha256(stored.read_bytes()).hexdigest()
        assert int(kg.union.value(document, CTG.characterCount)) == len(stored.read_text(encoding="utf-8"))
        assert str(kg.union.value(document, SCHEMA.url)).startswith("https://www.un.org/counterterrorism/events/")


def test_every_fact_node_points_to_a_span(kg) -> None:  # noqa: ANN001
    g = kg.union
    fact_classes = {CTG.Fact} | set(g.transitive_subjects(RDFS.subClassOf, CTG.Fact))
    facts = {s for c in fact_classes for s in g.subjects(RDF.type, c)}
    # 6 participations, 5 posts, 2 memberships, 10 priorities, the dating, ranking, commitment, discussion
    assert len(facts) >= 27, f"only {len(facts)} fact nodes found"
    spans = set(g.subjects(RDF.type, OA.SpecificResource))
    for fact in facts:
        derived = set(g.objects(fact, PROV.wasDerivedFrom))
        assert derived and derived <= spans, f"{fact} lacks a span in prov:wasDerivedFrom"


def test_inferred_date_is_marked_with_its_reasoning(kg) -> None:  # noqa: ANN001
    g = kg.union
    datings = list(g.subjects(RDF.type, CTG.Dating))
    assert len(datings) == 1
    dating = datings[0]
    assert str(g.value(dating, SCHEMA.startDate)) == "2022-03-27"
    assert str(g.value(dating, CTG.dateAsStated)) == "Sunday, 27 March"
    assert g.value(dating, CTG.assertionStatus) == URIRef("https://w3id.org/ctgraph/vocab/status/inferred")
    assert "2022" in str(g.value(dating, CTG.reasoning))
