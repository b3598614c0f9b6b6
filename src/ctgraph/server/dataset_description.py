"""The VoID and DCAT description of the dataset at /.well-known/void and /void (Turtle unless Accept says)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ..export import MEDIA_TYPES, build_context, serialize_graph
from ..load import KnowledgeGraph
from ..namespaces import CTG, DCAT, DCTERMS, FOAF, OWL, PREFIXES, RDF, RDFS, VOID, bind_prefixes
from .downloads import CONTEXT_PATH, DUMPS
from .html import error_response, negotiate

if TYPE_CHECKING:
    from .state import ServerState

__all__ = ["DATASET_PATH", "RDF_OFFERS", "dataset_iri", "build_void_graph", "rdf_body", "build_router"]

#: The dataset's own IRI under the base IRI, beside the datasets links.ttl describes (id/dataset/…).
DATASET_PATH = "id/dataset/ctgraph"
#: The license the ontology declares is the dataset's too; this is used only if the ontology names none.
_DEFAULT_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
_SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
#: Media types an RDF route can answer with, in the order preferred when the client accepts any.
RDF_OFFERS: tuple[str, ...] = ("text/turtle", "application/ld+json", "application/n-triples")
_FORMAT_OF = {media: fmt for fmt, media in MEDIA_TYPES.items()}


def dataset_iri(base_iri: str) -> URIRef:
    """The IRI that names the whole dataset."""
    return URIRef(base_iri + DATASET_PATH)


def rdf_body(graph: Graph, media_type: str) -> bytes:
    """A graph in one of RDF_OFFERS; JSON-LD carries an inline context, never a remote one."""
    fmt = _FORMAT_OF[media_type]
    return serialize_graph(graph, fmt, build_context(graph) if fmt == "json-ld" else None)


def _add_counts(void: Graph, node: Node, graph: Graph, base_iri: str) -> None:
    subjects = set(graph.subjects())
    objects = set(graph.objects())
    void.add((node, VOID.triples, Literal(len(graph))))
    void.add((node, VOID.entities, Literal(sum(1 for s in subjects if str(s).startswith(base_iri)))))
    void.add((node, VOID.distinctSubjects, Literal(len(subjects))))
    void.add((node, VOID.distinctObjects, Literal(len(objects))))


def _add_partitions(void: Graph, dataset: URIRef, graph: Graph) -> None:
    classes = Counter(graph.objects(None, RDF.type))
    properties = Counter(graph.predicates())
    void.add((dataset, VOID.classes, Literal(len(classes))))
    void.add((dataset, VOID.properties, Literal(len(properties))))
    for cls, count in sorted(classes.items()):
        partition = BNode()
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        partition = BNode()
        void.add((dataset, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, prop))
        void.add((partition, VOID.triples, Literal(count)))
    used = {str(term) for term in (*classes, *properties)}
    for namespace in sorted(set(PREFIXES.values())):
        if any(term.startswith(namespace) for term in used):
            void.add((dataset, VOID.vocabulary, URIRef(namespace)))


def _add_linksets(void: Graph, dataset: URIRef, graph: Graph, base_iri: str) -> None:
    """Reuse the linksets data/links.ttl describes, adding their subject dataset and their size."""
    for linkset in sorted(set(graph.subjects(RDF.type, VOID.Linkset))):
        void += graph.cbd(linkset)
        void.add((dataset, VOID.subset, linkset))
        void.add((linkset, VOID.subjectsTarget, dataset))
        predicate = graph.value(linkset, VOID.linkPredicate)
        target = graph.value(linkset, VOID.objectsTarget)
        if target is None or predicate is None:
            continue
        void += graph.cbd(target)
        space = graph.value(target, VOID.uriSpace)
        links = [
            (s, o)
            for s, o in graph.subject_objects(predicate)
            if str(s).startswith(base_iri) and (space is None or str(o).startswith(str(space)))
        ]
        void.add((linkset, VOID.triples, Literal(len(links))))


def _add_distributions(void: Graph, dataset: URIRef, base_iri: str) -> None:
    for dump in DUMPS:
        url = URIRef(base_iri + dump.path)
        distribution = URIRef(f"{dataset}/distribution/{dump.filename.rsplit('.', 1)[-1]}")
        void.add((dataset, VOID.dataDump, url))
        void.add((dataset, VOID.feature, dump.format_iri))
        void.add((dataset, DCAT.distribution, distribution))
        void.add((distribution, RDF.type, DCAT.Distribution))
        void.add((distribution, DCTERMS.title, Literal(f"ctgraph as {dump.title}", lang="en")))
        void.add((distribution, DCAT.downloadURL, url))
        void.add((distribution, DCAT.accessURL, url))
        void.add(
            (
                distribution,
                DCAT.mediaType,
                URIRef(f"http://www.iana.org/assignments/media-types/{dump.media_type}"),
            )
        )
        void.add((distribution, DCTERMS["format"], dump.format_iri))


def _add_service(void: Graph, dataset: URIRef, base_iri: str) -> None:
    endpoint = URIRef(base_iri + "sparql")
    void.add((dataset, VOID.sparqlEndpoint, endpoint))
    void.add((dataset, DCAT.accessService, endpoint))
    void.add((endpoint, RDF.type, DCAT.DataService))
    void.add((endpoint, DCTERMS.title, Literal("ctgraph SPARQL endpoint", lang="en")))
    void.add((endpoint, DCAT.endpointURL, endpoint))
    void.add((endpoint, DCAT.servesDataset, dataset))
    void.add((endpoint, DCTERMS.conformsTo, _SPARQL_PROTOCOL))


def _add_named_graphs(void: Graph, dataset: URIRef, kg: KnowledgeGraph) -> None:
    for source in kg.files:
        named = kg.graph_of(source)
        void.add((dataset, VOID.subset, source.graph_iri))
        void.add((source.graph_iri, RDF.type, VOID.Dataset))
        void.add((source.graph_iri, RDFS.label, Literal(f"named graph of {source.path.name}", lang="en")))
        void.add((source.graph_iri, VOID.triples, Literal(len(named))))
        # Relative to the checkout (kind is the folder name): where the server keeps it is nobody's business.
        void.add((source.graph_iri, DCTERMS.source, Literal(f"{source.kind}/{source.path.name}")))


def build_void_graph(kg: KnowledgeGraph, base_iri: str) -> Graph:
    """The VoID + DCAT description: counts, partitions, linksets, licence, endpoint and dumps."""
    graph = kg.union
    void = Graph()
    bind_prefixes(void)
    dataset = dataset_iri(base_iri)
    ontology = next(iter(sorted(graph.subjects(RDF.type, OWL.Ontology))), None)
    void.add((dataset, RDF.type, VOID.Dataset))
    void.add((dataset, RDF.type, DCAT.Dataset))
    void.add((dataset, RDFS.label, Literal("ctgraph", lang="en")))
    void.add(
        (
            dataset,
            DCTERMS.title,
            Literal("ctgraph: a knowledge graph of UN counter-terrorism diplomacy", lang="en"),
        )
    )
    void.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Facts of the Fourth High-Level Strategic Dialogue between the State of Qatar and UNOCT, "
                "each with the source sentence it rests on, with links to Wikidata, DBpedia, GeoNames and "
                "the UN M49 vocabulary.",
                lang="en",
            ),
        )
    )
    licence = graph.value(ontology, DCTERMS.license) if ontology is not None else None
    void.add((dataset, DCTERMS.license, licence if licence is not None else _DEFAULT_LICENSE))
    for creator in graph.objects(ontology, DCTERMS.creator) if ontology is not None else ():
        void.add((dataset, DCTERMS.creator, creator))
    if ontology is not None:
        void.add((dataset, DCTERMS.conformsTo, ontology))
    void.add((dataset, FOAF.homepage, URIRef(base_iri)))
    void.add((dataset, DCAT.landingPage, URIRef(base_iri)))
    void.add((dataset, VOID.uriSpace, Literal(base_iri)))
    void.add((dataset, VOID.rootResource, dataset))
    for example in sorted(graph.subjects(RDF.type, CTG.Dialogue))[:3]:
        void.add((dataset, VOID.exampleResource, example))
    _add_counts(void, dataset, graph, base_iri)
    _add_partitions(void, dataset, graph)
    _add_linksets(void, dataset, graph, base_iri)
    _add_distributions(void, dataset, base_iri)
    _add_service(void, dataset, base_iri)
    _add_named_graphs(void, dataset, kg)
    void.add((dataset, RDFS.seeAlso, URIRef(base_iri + CONTEXT_PATH)))
    return void


def build_router(state: ServerState) -> APIRouter:
    """/.well-known/void and /void, serialised once; a browser asking for HTML goes to the dataset's page."""
    base_iri = str(state.settings.base_iri)
    void = build_void_graph(state.kg, base_iri)
    bodies = {media: rdf_body(void, media) for media in RDF_OFFERS}
    page_path = "/" + DATASET_PATH
    router = APIRouter()

    def describe(request: Request) -> Response:
        accept = request.headers.get("accept")
        chosen = negotiate(accept, (*RDF_OFFERS, "text/html"))
        if chosen == "text/html":
            return RedirectResponse(page_path, status_code=303, headers={"Vary": "Accept"})
        if chosen is None:
            return error_response(
                accept,
                406,
                "not-acceptable",
                f"the dataset description is available as {', '.join(RDF_OFFERS)} or text/html",
                headers={"Vary": "Accept"},
            )
        charset = "" if chosen == "application/ld+json" else "; charset=utf-8"
        return Response(
            bodies[chosen],
            media_type=chosen + charset,
            headers={"Vary": "Accept", "Link": f'<{page_path}>; rel="alternate"; type="text/html"'},
        )

    for path in ("/.well-known/void", "/void"):
        router.add_api_route(path, describe, methods=["GET", "HEAD"], summary="VoID and DCAT description")
    return router
