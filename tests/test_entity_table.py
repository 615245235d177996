"""The entity table of an article (annotate/entity_table.py): one test per rule, on text
written for the test."""

from __future__ import annotations

from newscorpus.annotate.entity_table import (
    ORGANISATION,
    PERSON,
    SOURCE,
    EntityTable,
    build_table,
)
from newscorpus.annotate.index import ArticleIndex
from newscorpus.annotate.quotes import extract_quotes
from newscorpus.annotate.resolve import resolve_mention
from newscorpus.record.records import annotate_quotes


def _table(*texts: str) -> EntityTable:
    return build_table(ArticleIndex(texts))


def _names(table: EntityTable, kind: str) -> list[str]:
    return [e.name for e in table.entities if e.kind == kind]


def _resolve(table: EntityTable, phrase: str, at: int = 10_000) -> tuple[str | None, str]:
    """The canonical name `phrase` resolves to in the last text, and the rule."""
    entity, rule = resolve_mention(table, len(table.index.texts) - 1, at, phrase)
    return (entity.name if entity is not None else None), rule


def test_full_name_is_canonical_without_titles_roles_or_adjectives() -> None:
    table = _table(
        "Deputy Minister Park Ji-hoon opened the fair. Defiant Harriet Okonkwo-Reyes "
        "stayed. Mr Tobias Fenwick left early."
    )
    assert _names(table, PERSON) == ["Park Ji-hoon", "Harriet Okonkwo-Reyes", "Tobias Fenwick"]
    assert _resolve(table, "Deputy Minister Park Ji-hoon") == ("Park Ji-hoon", "full_name")
    fenwick = table.person("Tobias Fenwick")
    assert fenwick is not None and fenwick.gender == "m"
    assert (fenwick.mentions[0].field, fenwick.mentions[0].text) == (0, "Tobias Fenwick")


def test_two_writings_of_one_name_are_one_person() -> None:
    table = _table(
        "Kim Jong-un met envoys. Later Kim Jong Un left. Donald J. Trump and Donald Trump."
    )
    assert _names(table, PERSON) == ["Kim Jong-un", "Donald J. Trump"]


def test_surname_joins_the_one_person_with_it() -> None:
    table = _table("Farmer Gwendolyn Marsh sold her flock. Marsh was pleased.")
    assert _resolve(table, "Marsh") == ("Gwendolyn Marsh", "surname")
    (marsh,) = table.people("Marsh")
    assert [m.rule for m in marsh.mentions] == ["full_name", "surname"]


def test_two_people_sharing_a_surname_stay_two_and_a_surname_takes_the_last_named() -> None:
    text = "Oliver Pemberton runs the mill. Clara Pemberton runs the shop. Pemberton spoke."
    table = _table(text)
    assert len(table.people("Pemberton")) == 2
    assert _resolve(table, "Pemberton", text.index("Pemberton spoke")) == (
        "Clara Pemberton",
        "surname",
    )
    assert _resolve(table, "Pemberton", text.index("runs the mill")) == (
        "Oliver Pemberton",
        "surname",
    )


def test_title_and_surname_join_the_given_name_and_surname() -> None:
    table = _table("Councillor Edmund Thistlewood opened the bridge. Mr Thistlewood said.")
    assert _resolve(table, "Mr Thistlewood") == ("Edmund Thistlewood", "title")
    # a title of the other gender does not join: "Mrs Thistlewood" stays as written
    assert _resolve(table, "Mrs Thistlewood") == (None, "as_written")
    # a titled surname with no full name in the article loses its title
    assert _resolve(_table("Mr Quennell spoke."), "Mr Quennell") == ("Quennell", "title")


def test_korean_family_name_first_surname() -> None:
    table = _table("Rep. Lee Min-ho of the Harbour Party filed the bill. Lee said it was late.")
    assert _resolve(table, "Lee") == ("Lee Min-ho", "surname")
    assert _resolve(table, "Rep. Lee") == ("Lee Min-ho", "title")
    assert _names(table, ORGANISATION) == ["Harbour Party"]
    # a hyphenated given name marks the family name whatever it is
    assert _resolve(_table("Adviser Yeo Dal-bin spoke. Yeo left."), "Yeo") == (
        "Yeo Dal-bin",
        "surname",
    )


def test_organisation_takes_its_fullest_name_and_splits_off_a_titled_person() -> None:
    table = _table(
        "Bank of Tarnwick Governor Rhee Chang-yong spoke. The Bank of Tarnwick said more."
    )
    assert _names(table, ORGANISATION) == ["Bank of Tarnwick"]
    assert _names(table, PERSON) == ["Rhee Chang-yong"]
    assert _resolve(table, "Tarnwick Bank") == (None, "as_written")


def test_acronym_joins_its_organisation() -> None:
    table = _table("The Northern Rivers Council met. The NRC said nothing.")
    assert _names(table, ORGANISATION) == ["Northern Rivers Council"]
    assert _resolve(table, "the NRC") == ("Northern Rivers Council", "acronym")
    council = table.entities[0]
    assert [m.rule for m in council.mentions] == ["organisation", "acronym"]
    # bracketed capitals name the organisation before them, whatever its initials
    table = _table("The Harbour Watch Authority (HWTA) met. HWTA said no.")
    assert _resolve(table, "HWTA") == ("Harbour Watch Authority", "acronym")


def test_description_joins_the_person_given_that_role() -> None:
    text = "Governor Ilse Brandvold toured the dam. Later Ilse Brandvold, the governor, spoke."
    table = _table(text)
    assert _resolve(table, "the governor") == ("Ilse Brandvold", "description")
    # a vice governor is another office; a role no one was given stays as written
    assert _resolve(table, "the vice governor") == (None, "as_written")
    assert _resolve(table, "the senator") == (None, "as_written")


def test_organisation_description_is_a_scored_choice_not_the_last_named() -> None:
    text = (
        "Quillon Motors Co. cut prices.\n\nQuillon Motors Co. said demand fell; "
        "Brindle Tyres Co. supplies it.\n\nThe company said it would recover."
    )
    table = _table(text)
    entity, rule = resolve_mention(table, 0, text.index("The company"), "the company")
    assert entity is not None and (entity.name, rule) == ("Quillon Motors Co.", "description")


def test_names_that_are_not_people() -> None:
    table = _table(
        "Diplomatic Security agents came; diplomatic cars left. However Smith stayed. "
        "North Korea fired. Seoul Station closed."
    )
    assert _names(table, PERSON) == []


def test_headline_people_are_known_to_the_body() -> None:
    headline = "Mayor Rosalind Achterberg opens the new harbour"
    body = '"This is a great day for the town," Achterberg said.'
    assert extract_quotes(body)[0].speaker == "Achterberg"
    quotes = annotate_quotes(headline, (), body)
    assert quotes[0]["speaker"] == "Rosalind Achterberg"
    assert quotes[0]["speaker_mention"] == "Achterberg"
    assert quotes[0]["speaker_resolution"] == "surname"


def test_quote_speakers_go_through_the_table() -> None:
    text = (
        'Engineer Bartholomew Quist built the tower. "It will stand," said Mr Quist. '
        '"It is tall," Quist added.'
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Bartholomew Quist", "Bartholomew Quist"]
    assert [q.speaker_mention for q in quotes] == ["Mr Quist", "Quist"]
    assert [q.speaker_resolution for q in quotes] == ["title", "surname"]


def test_a_document_that_speaks_is_a_source_of_the_table() -> None:
    table = _table("The ministry released a statement.")
    statement = table.add_source("a statement")
    assert statement.kind == SOURCE and statement.name == "a statement"
    assert table.add_source("A statement") is statement
    assert table.entities[-1] is statement


def test_a_definite_description_joins_the_unnamed_source_introduced_before() -> None:
    text = (
        "A director at a Tarnwick shipping firm, speaking on condition of anonymity, "
        "said costs had doubled. Ports were quiet.\n\n"
        "“We cannot plan,” the director said. “Prices move daily,” a trader in Halden "
        "said."
    )
    table = _table(text)
    at = text.index("the director said") + len("the ")
    entity, rule = resolve_mention(table, 0, at, "director")
    assert entity is not None and entity.kind == SOURCE
    assert (entity.name, rule) == ("A director at a Tarnwick shipping firm", "description")
    # an indefinite mention introduces a source; it refers back to none
    at = text.index("a trader") + len("a ")
    assert resolve_mention(table, 0, at, "trader") == (None, "as_written")
    (quote,) = extract_quotes(text)[:1]
    assert (quote.speaker, quote.speaker_mention) == (
        "A director at a Tarnwick shipping firm",
        "director",
    )


def test_a_name_and_a_region_is_an_organisation_a_company_description_can_reach() -> None:
    text = (
        "Brindle Asia's screensaver campaign began in May. North Korea objected and "
        "Jack London wrote about it.\n\nThe company said the campaign had ended."
    )
    table = _table(text)
    assert _names(table, ORGANISATION) == ["Brindle Asia"]
    assert "Jack London" in _names(table, PERSON)
    entity, rule = resolve_mention(table, 0, text.index("The company"), "the company")
    assert entity is not None and (entity.name, rule) == ("Brindle Asia", "description")
