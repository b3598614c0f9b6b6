"""Every namespace and prefix the project uses, in one place."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

__all__ = [
    "BASE",
    "CTG",
    "GRAPH",
    "ID",
    "VOCAB",
    "ONTOLOGY_IRI",
    "OA",
    "ORG",
    "SCHEMA",
    "SH",
    "SD",
    "SPDX",
    "VANN",
    "WD",
    "PREFIXES",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SKOS",
    "VOID",
    "XSD",
    "bind_prefixes",
]

#: The base of every IRI the project mints. A server maps it to its own host (see server settings).
BASE = "https://w3id.org/ctgraph/"
#: The ontology's single hash namespace.
CTG = Namespace(BASE + "ontology#")
ONTOLOGY_IRI = BASE + "ontology"
#: Instances: slash IRIs built from readable slugs, e.g. ``id/person/vladimir-voronkov``.
ID = Namespace(BASE + "id/")
#: Controlled vocabularies (SKOS concept schemes the ontology ships: roles, statuses).
VOCAB = Namespace(BASE + "vocab/")
#: Named graphs, one per source file stem (``graph/dialogue`` for ``data/dialogue.ttl``).
GRAPH = Namespace(BASE + "graph/")

OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "ctg": str(CTG),
    "ctgid": str(ID),
    "ctgsh": "https://w3id.org/ctgraph/shapes#",
    "ctgv": str(VOCAB),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "oa": str(OA),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vann": str(VANN),
    "void": str(VOID),
    "wd": str(WD),
    "xsd": str(XSD),
}


def bind_prefixes(graph: object) -> None:
    """Bind the project's prefixes on an rdflib graph or dataset, replacing rdflib's defaults."""
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri, override=True, replace=True)  # type: ignore[attr-defined]
