"""The SPARQL service description (sd:) that GET /sparql returns without a query, with VoID counts."""

from __future__ import annotations

from collections import OrderedDict

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from ..namespaces import SD
from .negotiation import GRAPH, TABULAR

__all__ = ["build_service_description", "ServiceDescriptions"]

_ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
_FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RDFLIB_DEFAULT = "urn:x-rdflib:default"
_SERIALIZERS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def build_service_description(
    endpoint: str, dataset: Dataset, triple_count: int, allow_service: list[str]
) -> Graph:
    """The sd:Service at ``endpoint``: language, result formats, features, the default dataset with VoID."""
    graph = Graph()
    for prefix, namespace in (
        ("sd", SD),
        ("void", VOID),
        ("formats", _FORMATS),
        ("dcterms", DCTERMS),
        ("ent", _ENTAILMENT),
        ("rdfs", RDFS),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace)
    service = URIRef(endpoint)
    data = URIRef(endpoint + "#dataset")
    default = URIRef(endpoint + "#default-graph")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal("ctgraph SPARQL endpoint", lang="en")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if allow_service:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    graph.add((service, SD.defaultEntailmentRegime, _ENTAILMENT.Simple))
    for format_iri in dict.fromkeys(offer.format_iri for offer in TABULAR + GRAPH):
        graph.add((service, SD.resultFormat, URIRef(format_iri)))
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only. SERVICE, FROM on graphs outside this store, LOAD and file: IRIs are refused; "
                "every query has a time limit.",
                lang="en",
            ),
        )
    )
    graph.add((service, SD.defaultDataset, data))
    graph.add((data, RDF.type, SD.Dataset))
    graph.add((data, RDF.type, VOID.Dataset))
    graph.add((data, VOID.sparqlEndpoint, service))
    graph.add((data, VOID.triples, Literal(triple_count)))
    graph.add((data, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDF.type, VOID.Dataset))
    graph.add((default, VOID.triples, Literal(triple_count)))
    graph.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    for named in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        if str(named.identifier) == _RDFLIB_DEFAULT or len(named) == 0:
            continue
        entry, described = BNode(), BNode()
        graph.add((data, SD.namedGraph, entry))
        graph.add((entry, RDF.type, SD.NamedGraph))
        graph.add((entry, SD.name, named.identifier))
        graph.add((entry, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, RDF.type, VOID.Dataset))
        graph.add((described, VOID.triples, Literal(len(named))))
    return graph


class ServiceDescriptions:
    """Serialized service descriptions, built once per endpoint IRI and format."""

    def __init__(self, dataset: Dataset, triple_count: int, allow_service: list[str], size: int = 16) -> None:
        self.dataset = dataset
        self.triple_count = triple_count
        self.allow_service = allow_service
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = size

    def render(self, endpoint: str, engine_format: str) -> bytes:
        """The description of ``endpoint`` in one of the graph formats (engine format names)."""
        key = (endpoint, engine_format)
        body = self._cache.get(key)
        if body is None:
            graph = build_service_description(endpoint, self.dataset, self.triple_count, self.allow_service)
            body = graph.serialize(format=_SERIALIZERS[engine_format], encoding="utf-8")
            self._cache[key] = body
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return body
