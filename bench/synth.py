"""Generates a synthetic ctgraph checkout of about N triples, shaped like the seed graph, for bench/http.py.

The checkout is a copy of the repository's ontology/, shapes/, queries/ and data/ (so every seed
resource and every named query still works), plus ``data/synthetic.ttl`` and one source text per
synthetic dialogue under ``data/sources/``. The synthetic part uses the same classes and properties
as data/dialogue.ttl and data/sources.ttl: event series of dialogues, participations with roles,
people holding posts in units of ministries of states, memberships of international bodies,
commitments to numbered priority areas, datings, and a press release per dialogue whose text spans
(with exact quotes, 32-character prefix/suffix and code-point offsets) every fact points back to.

Run on its own:  python bench/synth.py --triples 100000 --out /tmp/ctgraph-synth
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/synth.py`, this folder comes first on sys.path and its http.py would shadow the
# standard library's `http` package (which rdflib imports through urllib); move the folder to the end.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.append(sys.path.pop(0))

import argparse  # noqa: E402 - after the sys.path fix above
import hashlib  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import FOAF, RDF, RDFS, SKOS, XSD  # noqa: E402

from ctgraph.namespaces import CTG, DCTERMS, ID, OA, ORG, PROV, SCHEMA, SPDX, VOCAB, bind_prefixes  # noqa: E402

__all__ = ["SynthResult", "generate_checkout", "main"]

_COPIED = ("ontology", "shapes", "queries", "data")
_CONTEXT = 32  # characters of oa:prefix / oa:suffix, as in data/sources.ttl
_SYLLABLES_GIVEN = ("ka", "lo", "mi", "sa", "ta", "re", "no", "vi", "da", "ha", "yu", "ze", "mar", "el", "an")
_SYLLABLES_FAMILY = (
    "ber",
    "don",
    "fal",
    "gor",
    "hal",
    "kes",
    "lin",
    "mor",
    "nad",
    "ros",
    "tev",
    "vann",
    "wel",
)
_PLACE_STEMS = (
    "Arvel",
    "Belmor",
    "Corvan",
    "Dastra",
    "Elbon",
    "Fennor",
    "Galtis",
    "Harrow",
    "Istra",
    "Jorvik",
    "Kaldor",
    "Lumen",
    "Morvai",
    "Nesta",
    "Orlan",
    "Pravis",
    "Quenta",
    "Rhodan",
    "Sulvar",
    "Tarsis",
)
_OFFICE_NAMES = (
    "Office for Regional Security Cooperation",
    "Centre for Counter-Terrorism Capacity",
    "Programme on Border Security",
    "Secretariat for Preventing Violent Extremism",
    "Office of Aviation Security Assistance",
)
_AREAS = (
    "countering the financing of terrorism",
    "border security and management",
    "aviation security",
    "protection of critical infrastructure",
    "preventing violent extremism",
    "support to victims of terrorism",
    "cybersecurity of public services",
    "rehabilitation and reintegration",
    "youth engagement",
    "the role of parliaments",
    "securing major sporting events",
    "countering terrorist travel",
)
_HONORIFICS = (("H.E.", "Mr."), ("H.E.", "Ms."), ("Mr.",), ("Ms.",), ("Dr.",))
_ROLE = {name: VOCAB[f"role/{name}"] for name in ("co-chair", "participant", "contributor")}
_STATED = VOCAB["status/stated"]
_INFERRED = VOCAB["status/inferred"]


@dataclass
class SynthResult:
    """What generate_checkout wrote: the checkout root and the size of its synthetic part."""

    root: Path
    dialogues: int
    synthetic_triples: int
    source_files: int


@dataclass
class _Person:
    iri: URIRef
    name: str
    honorifics: tuple[str, ...]
    posts: list[tuple[URIRef, str]] = field(default_factory=list)  # (post IRI, post label)
    body: tuple[URIRef, str] | None = None  # membership target for contributors

    @property
    def written(self) -> str:
        return " ".join((*self.honorifics, self.name))


@dataclass
class _State:
    slug: str
    iri: URIRef
    name: str
    officials: list[_Person] = field(default_factory=list)


_DEPARTMENTS = (
    ("Interior", "International Cooperation"),
    ("Interior", "Security Policy"),
    ("Foreign Affairs", "International Organizations"),
    ("Foreign Affairs", "Legal Affairs"),
)


class _Release:
    """The text of one synthetic press release, built sentence by sentence, recording each span."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[str, str, int, int]] = []  # (slug, label, start, end)

    def add(self, slug: str, label: str, sentence: str, sep: str = " ") -> None:
        if self.text:
            self.text += sep
        start = len(self.text)
        self.text += sentence
        self.spans.append((slug, label, start, len(self.text)))


class _Builder:
    """Adds the synthetic world to one rdflib graph, counting nothing itself (len(graph) does)."""

    def __init__(self, rng: random.Random, sources_dir: Path) -> None:
        self.g = Graph()
        bind_prefixes(self.g)
        self.rng = rng
        self.sources_dir = sources_dir
        self.used_slugs: set[str] = set()
        self.source_files = 0
        # resources that rest on every passage naming a person: their posts, units, memberships, bodies
        self.credited: dict[URIRef, list[URIRef]] = {}
        self.created: set[URIRef] = set()

    # ------------------------------------------------------------------ names
    def _slug(self, base: str) -> str:
        slug, n = base, 2
        while slug in self.used_slugs:
            slug, n = f"{base}-{n}", n + 1
        self.used_slugs.add(slug)
        return slug

    def _person_name(self) -> str:
        def word(parts: tuple[str, ...], k: int) -> str:
            return "".join(self.rng.choice(parts) for _ in range(k)).capitalize()

        return f"{word(_SYLLABLES_GIVEN, 2)} {word(_SYLLABLES_FAMILY, 2)}"

    def _add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.g.add((s, p, o))

    def _label(self, s: URIRef, text: str) -> None:
        self._add(s, RDFS.label, Literal(text, lang="en"))

    # ------------------------------------------------------------------ resources
    def person(self, kind: str, honorifics: tuple[str, ...] | None = None) -> _Person:
        name = self._person_name()
        iri = ID[f"person/{self._slug('synthetic-' + kind + '-' + name.lower().replace(' ', '-'))}"]
        person = _Person(iri=iri, name=name, honorifics=honorifics or self.rng.choice(_HONORIFICS))
        self._add(iri, RDF.type, SCHEMA.Person)
        self._add(iri, RDF.type, FOAF.Person)
        self._label(iri, name)
        self._add(iri, SCHEMA.name, Literal(name))
        for prefix in person.honorifics:
            self._add(iri, SCHEMA.honorificPrefix, Literal(prefix))
        self._add(iri, CTG.nameAsWritten, Literal(person.written))
        return person

    def post(self, holder: _Person, title: str, unit: URIRef, unit_label: str) -> None:
        iri = ID[
            f"post/{self._slug(f'synthetic-{title}-{unit_label}'.lower().replace(' ', '-').replace(',', ''))}"
        ]
        label = f"{title}, {unit_label}"
        self._add(iri, RDF.type, ORG.Post)
        self._add(iri, RDF.type, CTG.Fact)
        self._label(iri, label)
        self._add(iri, ORG.heldBy, holder.iri)
        self._add(iri, ORG.postIn, unit)
        self._add(iri, CTG.assertionStatus, _STATED)
        self._add(holder.iri, ORG.holds, iri)
        holder.posts.append((iri, label))
        self.credited.setdefault(holder.iri, []).extend([iri, unit])

    def state(self, index: int) -> _State:
        stem = _PLACE_STEMS[index % len(_PLACE_STEMS)]
        name = (
            f"Republic of {stem}"
            if index < len(_PLACE_STEMS)
            else f"Republic of {stem} {index // len(_PLACE_STEMS) + 1}"
        )
        slug = self._slug(name.lower().replace(" ", "-"))
        iri = ID[f"org/{slug}"]
        for t in (ORG.Organization, ORG.FormalOrganization, SCHEMA.Country):
            self._add(iri, RDF.type, t)
        self._label(iri, name)
        self._add(iri, SCHEMA.name, Literal(name, lang="en"))
        self._add(iri, CTG.nameAsWritten, Literal(f"the {name}"))
        return _State(slug=slug, iri=iri, name=name)

    def unit(self, state: _State, ministry: str, dept: str) -> tuple[URIRef, str, URIRef]:
        """A department of a ministry of a state, created (with the ministry) when first named."""
        m_iri = ID[f"org/{state.slug}-ministry-of-{ministry.lower().replace(' ', '-')}"]
        if m_iri not in self.created:
            self.created.add(m_iri)
            for t in (ORG.Organization, ORG.FormalOrganization):
                self._add(m_iri, RDF.type, t)
            self._label(m_iri, f"Ministry of {ministry}")
            self._add(m_iri, SKOS.altLabel, Literal(f"Ministry of {ministry} of the {state.name}", lang="en"))
            self._add(m_iri, ORG.subOrganizationOf, state.iri)
            self._add(state.iri, ORG.hasSubOrganization, m_iri)
        u_iri = ID[f"org/{state.slug}-department-of-{dept.lower().replace(' ', '-')}"]
        if u_iri not in self.created:
            self.created.add(u_iri)
            self._add(u_iri, RDF.type, ORG.Organization)
            self._add(u_iri, RDF.type, ORG.OrganizationalUnit)
            self._label(u_iri, f"Department of {dept}")
            self._add(u_iri, ORG.unitOf, m_iri)
            self._add(m_iri, ORG.hasUnit, u_iri)
        return u_iri, f"Department of {dept}, Ministry of {ministry}", m_iri

    def office(self, index: int) -> tuple[URIRef, str, _Person]:
        name = _OFFICE_NAMES[index % len(_OFFICE_NAMES)]
        if index >= len(_OFFICE_NAMES):
            name = f"{name} {index // len(_OFFICE_NAMES) + 1}"
        iri = ID[f"org/{self._slug('synthetic-' + name.lower().replace(' ', '-'))}"]
        self._add(iri, RDF.type, ORG.Organization)
        self._add(iri, RDF.type, ORG.FormalOrganization)
        self._label(iri, name)
        head = self.person("head", ("Mr.",))
        self.post(head, "Head", iri, name)
        return iri, name, head

    def body(self, area: str) -> tuple[URIRef, str]:
        """An expert body, created when a contributor from it is first named."""
        name = f"Expert Panel on {area}"
        iri = ID[f"org/synthetic-{name.lower().replace(' ', '-')}"]
        if iri not in self.created:
            self.created.add(iri)
            self._add(iri, RDF.type, ORG.Organization)
            self._label(iri, name)
        return iri, name

    def membership(self, person: _Person, body: tuple[URIRef, str]) -> None:
        iri = ID[f"membership/{person.iri.rsplit('/', 1)[1]}/{body[0].rsplit('/', 1)[1]}"]
        self._add(iri, RDF.type, ORG.Membership)
        self._add(iri, RDF.type, CTG.Fact)
        self._label(iri, f"{person.name}, from the {body[1]}")
        self._add(iri, ORG.member, person.iri)
        self._add(iri, ORG.organization, body[0])
        self._add(iri, CTG.assertionStatus, _STATED)
        self._add(person.iri, ORG.hasMembership, iri)
        person.body = body
        self.credited.setdefault(person.iri, []).extend([iri, body[0]])

    # ------------------------------------------------------------------ one dialogue and its release
    def dialogue(
        self,
        series: tuple[URIRef, str, str],
        ordinal: int,
        state: _State,
        office: tuple[URIRef, str, _Person],
        bodies: Sequence[str],
        day: date,
    ) -> None:
        series_iri, series_name, series_slug = series
        slug = f"{series_slug}-{ordinal:02d}"
        office_iri, office_name, head = office
        event = ID[f"event/{slug}"]
        doc_slug = f"synthetic-release-{slug}"
        doc = ID[f"source/{doc_slug}"]
        title = f"Dialogue {ordinal} of the {series_name}"

        # who takes part: the office head and a state official co-chair, two more officials, two contributors;
        # new officials join now and then (and take part at once), so people recur across a series
        newcomers: list[_Person] = []
        while len(state.officials) + len(newcomers) < 3 or (len(newcomers) < 3 and self.rng.random() < 0.35):
            official = self.person("official")
            unit, unit_label, ministry = self.unit(state, *self.rng.choice(_DEPARTMENTS))
            self.post(
                official, self.rng.choice(("Director", "Deputy Director", "Senior Adviser")), unit, unit_label
            )
            self.credited[official.iri].append(ministry)
            newcomers.append(official)
        chosen = newcomers + self.rng.sample(state.officials, 3 - len(newcomers))
        state.officials.extend(newcomers)
        self.rng.shuffle(chosen)
        chair, *others = chosen
        contributors: list[_Person] = []
        for _ in range(2):
            person = self.person("expert")
            self.membership(person, self.body(self.rng.choice(bodies)))
            contributors.append(person)
        areas = self.rng.sample(_AREAS, 3)
        stated_day = f"{day:%A}, {day.day} {day:%B} {day.year}"

        release = _Release()
        release.add("title", "the title", title)
        release.add(
            "opening",
            "the opening sentence",
            f"On {stated_day}, the {title} discussed strategic priorities for their cooperation "
            "on counter-terrorism.",
            sep="\n\n",
        )
        release.add(
            "co-chairs",
            "the co-chairs sentence",
            f"{head.written}, {head.posts[0][1]}, co-chaired the dialogue with {chair.written}, "
            f"{chair.posts[0][1]}, the {state.name}.",
            sep="\n\n",
        )
        release.add(
            "participants",
            "the participants sentence",
            " and ".join(f"{p.written}, {p.posts[0][1]}" for p in others)
            + " also participated in the meeting.",
        )
        release.add(
            "contributors",
            "the contributors sentence",
            " and ".join(f"{p.written} from the {p.body[1]}" for p in contributors if p.body)
            + " contributed to identifying priorities.",
        )
        release.add(
            "commitment",
            "the commitment sentence",
            "Both sides expressed their commitment to continued cooperation on the following areas:",
            sep="\n\n",
        )
        for n, area in enumerate(areas, start=1):
            release.add(f"priority-{n}", f"priority bullet {n}", area.capitalize(), sep="\n  • ")

        spans = {s: ID[f"source/{doc_slug}/span/{s}"] for s, _, _, _ in release.spans}
        self._document(doc, doc_slug, title, release)

        for t in (CTG.Dialogue, SCHEMA.Event):
            self._add(event, RDF.type, t)
        self._label(event, title)
        self._add(event, SCHEMA.name, Literal(title, lang="en"))
        self._add(event, SCHEMA.superEvent, series_iri)
        self._add(event, CTG.ordinal, Literal(ordinal))
        self._add(event, SCHEMA.startDate, Literal(day.isoformat(), datatype=XSD.date))
        self._add(
            event, SCHEMA.description, Literal("Discussed strategic priorities for cooperation.", lang="en")
        )
        self._add(event, CTG.hasParty, state.iri)
        self._add(event, CTG.hasParty, office_iri)
        for span in ("title", "opening"):
            self._add(event, PROV.wasDerivedFrom, spans[span])

        dating = ID[f"dating/{slug}"]
        self._add(dating, RDF.type, CTG.Dating)
        self._label(dating, f"dating of {title}")
        self._add(dating, CTG.datedEvent, event)
        self._add(dating, SCHEMA.startDate, Literal(day.isoformat(), datatype=XSD.date))
        self._add(dating, CTG.dateAsStated, Literal(stated_day))
        self._add(dating, CTG.assertionStatus, _STATED)
        self._add(dating, PROV.wasDerivedFrom, spans["opening"])

        roles = [(head, "co-chair", "co-chairs", None), (chair, "co-chair", "co-chairs", state.iri)]
        roles += [(p, "participant", "participants", state.iri) for p in others]
        roles += [(p, "contributor", "contributors", p.body[0] if p.body else None) for p in contributors]
        for person, role, span, behalf in roles:
            part = ID[f"participation/{slug}/{person.iri.rsplit('/', 1)[1]}"]
            self._add(part, RDF.type, CTG.Participation)
            self._label(part, f"{person.name} as {role} of {title}")
            self._add(part, PROV.agent, person.iri)
            self._add(part, PROV.hadRole, _ROLE[role])
            if role != "contributor":
                self._add(part, CTG.inCapacityOf, person.posts[0][0])
            if behalf is not None:
                self._add(part, CTG.onBehalfOf, behalf)
            self._add(part, CTG.assertionStatus, _STATED)
            self._add(part, PROV.wasDerivedFrom, spans[span])
            self._add(event, PROV.qualifiedAssociation, part)
            self._add(event, SCHEMA.contributor if role == "contributor" else SCHEMA.attendee, person.iri)
            # a person, and what the passage says of them, rests on every release that names them
            for resource in (person.iri, *self.credited.get(person.iri, ())):
                self._add(resource, PROV.wasDerivedFrom, spans[span])
        for org in (state.iri, office_iri):
            self._add(org, PROV.wasDerivedFrom, spans["opening"])
        self._add(series_iri, PROV.wasDerivedFrom, spans["title"])

        scheme = ID[f"scheme/priority-areas-{slug}"]
        self._add(scheme, RDF.type, SKOS.ConceptScheme)
        self._label(scheme, f"priority areas of {title}")
        self._add(scheme, SKOS.prefLabel, Literal(f"priority areas of {title}", lang="en"))
        self._add(
            scheme,
            SKOS.definition,
            Literal(
                "The areas for which both sides committed to continued cooperation, numbered in the order "
                "the release lists them.",
                lang="en",
            ),
        )
        self._add(scheme, PROV.wasDerivedFrom, spans["commitment"])
        self._add(event, SCHEMA.about, scheme)
        commitment = ID[f"commitment/{slug}/continued-cooperation"]
        self._add(commitment, RDF.type, CTG.Commitment)
        self._label(commitment, f"commitment to continued cooperation at {title}")
        self._add(commitment, CTG.inEvent, event)
        self._add(commitment, CTG.committedParty, state.iri)
        self._add(commitment, CTG.committedParty, office_iri)
        self._add(commitment, CTG.assertionStatus, _STATED)
        self._add(commitment, PROV.wasDerivedFrom, spans["commitment"])
        for n, area in enumerate(areas, start=1):
            concept = ID[f"priority/{slug}/{n:02d}-{area.replace(' ', '-')}"]
            for t in (CTG.PriorityArea, SKOS.Concept):
                self._add(concept, RDF.type, t)
            self._label(concept, area.capitalize())
            self._add(concept, SKOS.prefLabel, Literal(area.capitalize(), lang="en"))
            self._add(concept, SKOS.notation, Literal(n))
            self._add(concept, SKOS.inScheme, scheme)
            self._add(concept, SKOS.topConceptOf, scheme)
            self._add(scheme, SKOS.hasTopConcept, concept)
            self._add(concept, CTG.assertionStatus, _STATED)
            self._add(concept, PROV.wasDerivedFrom, spans[f"priority-{n}"])
            self._add(commitment, CTG.cooperationArea, concept)

    def _document(self, doc: URIRef, doc_slug: str, title: str, release: _Release) -> None:
        """The source document, its stored text, its checksum and one annotated span per sentence."""
        path = self.sources_dir / f"{doc_slug}.txt"
        path.write_text(release.text, encoding="utf-8")
        self.source_files += 1
        for t in (PROV.Entity, FOAF.Document, SCHEMA.Article):
            self._add(doc, RDF.type, t)
        self._label(doc, f"press release: {title}")
        self._add(doc, DCTERMS.title, Literal(title, lang="en"))
        self._add(doc, DCTERMS.language, Literal("en"))
        self._add(doc, DCTERMS.format, Literal("text/plain; charset=utf-8"))
        # example.org: a synthetic document was never published; the IRI is only data, never fetched
        self._add(doc, SCHEMA.url, URIRef(f"https://example.org/ctgraph-synthetic/{doc_slug}"))
        self._add(doc, CTG.storedAt, Literal(f"data/sources/{path.name}"))
        self._add(doc, CTG.characterCount, Literal(len(release.text)))
        checksum = ID[f"source/{doc_slug}/checksum"]
        self._add(doc, SPDX.checksum, checksum)
        self._add(checksum, RDF.type, SPDX.Checksum)
        self._label(checksum, "SHA-256 of the stored press-release text")
        self._add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        digest = hashlib.sha256(release.text.encode("utf-8")).hexdigest()
        self._add(checksum, SPDX.checksumValue, Literal(digest))
        text = release.text
        for slug, label, start, end in release.spans:
            span = ID[f"source/{doc_slug}/span/{slug}"]
            quote, position = URIRef(f"{span}/quote"), URIRef(f"{span}/position")
            self._add(span, RDF.type, OA.SpecificResource)
            self._label(span, f"{label} of the press release")
            self._add(span, OA.hasSource, doc)
            self._add(span, OA.hasSelector, quote)
            self._add(span, OA.hasSelector, position)
            self._add(quote, RDF.type, OA.TextQuoteSelector)
            self._label(quote, f"quote of {label}")
            self._add(quote, OA.exact, Literal(text[start:end]))
            self._add(quote, OA.prefix, Literal(text[max(0, start - _CONTEXT) : start]))
            self._add(quote, OA.suffix, Literal(text[end : end + _CONTEXT]))
            self._add(position, RDF.type, OA.TextPositionSelector)
            self._label(position, f"position of {label}")
            self._add(position, OA.start, Literal(start))
            self._add(position, OA.end, Literal(end))


def _copy_repo(repo_root: Path, target: Path) -> None:
    """Copy the folders a checkout needs; refuse to write into a non-empty directory."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target}: directory is not empty; pass a new or empty --out directory")
    target.mkdir(parents=True, exist_ok=True)
    for name in _COPIED:
        source = repo_root / name
        if not source.is_dir():
            raise FileNotFoundError(f"{source}: missing; --repo must point at a ctgraph checkout")
        shutil.copytree(source, target / name)
    (target / "data" / "sources").mkdir(exist_ok=True)


def generate_checkout(repo_root: Path, target: Path, triples: int = 100_000, seed: int = 0) -> SynthResult:
    """Write a checkout at target: the repo's folders plus synthetic data of about `triples` triples."""
    _copy_repo(repo_root, target)
    rng = random.Random(seed)
    builder = _Builder(rng, target / "data" / "sources")
    # one state per series; each series holds about ten dialogues, so people recur across dialogues
    per_dialogue = 330  # measured average, used only to size the world before generating it
    n_series = max(1, round(triples / per_dialogue / 10))
    offices = [builder.office(i) for i in range(max(1, min(len(_OFFICE_NAMES), n_series)))]
    bodies = _AREAS
    states = [builder.state(i) for i in range(n_series)]
    series: list[tuple[URIRef, str, str, _State, tuple[URIRef, str, _Person]]] = []
    for i, state in enumerate(states):
        office = offices[i % len(offices)]
        name = f"Strategic Dialogue between the {state.name} and the {office[1]}"
        s_slug = builder._slug(f"synthetic-dialogue-{state.slug}")
        s_iri = ID[f"event-series/{s_slug}"]
        builder._add(s_iri, RDF.type, SCHEMA.EventSeries)
        builder._label(s_iri, name)
        builder._add(s_iri, SCHEMA.name, Literal(name, lang="en"))
        series.append((s_iri, name, s_slug, state, office))
    ordinals = [0] * len(series)
    dialogues = 0
    start_day = date(2010, 1, 4)
    while len(builder.g) < triples:
        k = dialogues % len(series)
        ordinals[k] += 1
        s_iri, name, s_slug, state, office = series[k]
        day = start_day + timedelta(days=dialogues * 11)
        builder.dialogue((s_iri, name, s_slug), ordinals[k], state, office, bodies, day)
        dialogues += 1
    out = target / "data" / "synthetic.ttl"
    header = (
        "# Synthetic data generated by bench/synth.py for the HTTP benchmark; NOT facts about the world.\n"
        f"# {len(builder.g)} triples, {dialogues} dialogues, random seed {seed}.\n"
    )
    out.write_text(header + builder.g.serialize(format="turtle"), encoding="utf-8")
    return SynthResult(
        root=target, dialogues=dialogues, synthetic_triples=len(builder.g), source_files=builder.source_files
    )


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a checkout and say where it is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000, help="approximate size of the synthetic part")
    parser.add_argument("--out", type=Path, required=True, help="new or empty directory for the checkout")
    parser.add_argument(
        "--repo", type=Path, default=Path(__file__).resolve().parents[1], help="checkout to copy"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (the output is deterministic)")
    args = parser.parse_args(argv)
    result = generate_checkout(args.repo, args.out, args.triples, args.seed)
    sys.stderr.write(
        f"{result.root}: {result.synthetic_triples} synthetic triples, {result.dialogues} dialogues, "
        f"{result.source_files} source texts\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
