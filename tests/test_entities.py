"""Who a he/she is (annotate/entities.py): candidates from the entity table's persons,
scored by the fitted weights; names that are never a person; documents that speak."""

from __future__ import annotations

from newscorpus.annotate.entities import is_not_person
from newscorpus.annotate.entity_table import EntityTable, build_table
from newscorpus.annotate.index import ArticleIndex
from newscorpus.annotate.names import PERSON
from newscorpus.annotate.quotes import extract_quotes


def _table(text: str) -> EntityTable:
    return build_table(ArticleIndex([text]))


def test_places_parties_and_sentence_words_are_not_people() -> None:
    table = _table("Some voters in Vermont said so. But the Democratic Party won.")
    assert [e.name for e in table.entities if e.kind == PERSON] == []
    assert is_not_person("Vermont") and is_not_person("Calif.") and is_not_person("Republican")
    assert is_not_person("North Korea’s") and is_not_person("South Korean")
    assert is_not_person("Some") and is_not_person("Most")
    assert not is_not_person("Kim") and not is_not_person("North Gyeongsang Governor Lee")


def test_he_and_she_take_the_latest_person_of_their_gender() -> None:
    text = (
        "Hillary Clinton spoke first. Then Steve Israel answered.\n\n"
        "“We will win,” she said. “We will see,” he said."
    )
    she, he = extract_quotes(text)
    assert (she.speaker, she.speaker_resolution) == ("Hillary Clinton", "pronoun")
    assert (he.speaker, he.speaker_resolution) == ("Steve Israel", "pronoun")


def test_a_pronoun_never_goes_to_the_other_gender_or_a_place() -> None:
    text = (
        "Hillary Clinton addressed the crowd. Steve Israel, a congressman, introduced her.\n\n"
        "“We will win,” she said."
    )
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_mention) == ("Hillary Clinton", "she")


def test_pronoun_candidates_carry_their_features_and_the_best_score_wins() -> None:
    from newscorpus.annotate.entities import (
        PRONOUN_FEATURES,
        pronoun_candidates,
        pronoun_weights,
        score_pronoun,
    )

    text = "Hillary Clinton spoke first. Then Steve Israel answered.\n\nLater, she said"
    table = _table(text)
    clinton, israel = table.entities
    people = sorted((m.start, e) for e in table.entities for m in e.mentions)
    candidates = pronoun_candidates("she", len(text), people, text)
    # Steve Israel is a man: never a candidate for "she".
    assert [entity.name for entity, _ in candidates] == ["Hillary Clinton"]
    (features,) = [f for _, f in candidates]
    named = dict(zip(PRONOUN_FEATURES, features, strict=True))
    assert named["gender_fits"] == 1.0 and named["same_paragraph"] == 0.0
    assert named["opens_sentence"] == 1.0 and named["rule_pick"] == 0.0
    assert len(pronoun_weights()) == len(PRONOUN_FEATURES)
    assert score_pronoun(candidates) is clinton
    # The rules' pick is a feature: with a weight on it alone, it wins.
    both = pronoun_candidates("he", len(text), people, text, rule_pick=israel)
    only_rule = [0.0] * len(PRONOUN_FEATURES)
    only_rule[PRONOUN_FEATURES.index("rule_pick")] = 1.0
    assert score_pronoun(both, only_rule) is israel
    assert score_pronoun([]) is None


def test_it_is_a_document_never_a_person() -> None:
    from newscorpus.annotate.entities import latest_document

    text = (
        "Tom Fitton of Judicial Watch released the email on Monday.\n\n"
        "“We will not comply,” it said."
    )
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_mention) == ("the email", "it")
    start, end, phrase = latest_document(text, len(text)) or (0, 0, "")
    assert text[start:end] == phrase == "the email"
    assert latest_document("Nothing here. It said so.", 20) is None


def test_a_persons_gender_comes_from_their_pronoun_in_the_same_sentence() -> None:
    from newscorpus.annotate.persons import learn_genders

    table = _table(
        "Mara Quenby apologized on Friday for her remarks. Tobin Quenby and Ilse Varga "
        "met; she left. “The road to Halden Pike is open,” he said."
    )
    learn_genders(table)
    genders = {e.name: e.gender for e in table.entities if e.kind == PERSON}
    assert genders["Mara Quenby"] == "f"
    # another person named before the pronoun: it may be theirs, so nobody learns it
    assert genders["Tobin Quenby"] == ""
    # a name inside a quotation does not take the "he" of its speaker
    assert genders.get("Halden Pike", "") == ""


def test_a_surname_two_people_share_takes_the_one_the_pronoun_fits() -> None:
    text = (
        "President Yun Dae-ho opened the session. He named Yun Mi-rae, a former judge, "
        "to lead the inquiry; her appointment drew criticism.\n\n"
        "Clerk Tomas Brandt read the order aloud.\n\n"
        "Yun said the inquiry would be fair.\n\n"
        "“We will not look away,” he said."
    )
    (quote,) = extract_quotes(text)
    assert (quote.speaker, quote.speaker_resolution) == ("Yun Dae-ho", "pronoun")


def test_a_surname_the_table_knows_is_a_subject_a_pronoun_may_take() -> None:
    # "Berdych was at a loss …": a lone capitalised word opening a sentence is a person
    # when the entity table holds a person of that surname ("Tomas Berdych")
    text = (
        "World number one Ivan Petrov beat Tomas Berdych in the Dubai final. “I really "
        "wanted a good start, and I could play with confidence,” Petrov said.\n\n"
        "“That took me all the way through and I almost ran away with it.” Berdych was "
        "at a loss to explain his poor showing in the first set. “I didn't start badly, "
        "but then I felt slow,” he said."
    )
    quotes = extract_quotes(text)
    assert [(q.speaker, q.speaker_resolution) for q in quotes][-1] == (
        "Tomas Berdych",
        "pronoun",
    )
