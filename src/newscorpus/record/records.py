"""Build a record from a parsed article, and check one record against every rule.

A record is a plain dict shaped by `schema/article.schema.json`. `record_problems` checks
both what JSON Schema says and the cross-field rules it cannot express (`rules.RULES`:
offsets inside their field and slicing to the quoted text, speaker counts matching the
quotes), with a message for each break.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from newscorpus.read.sources import RawFile, Source, article_id
from newscorpus.record.rules import PARAGRAPH_SEPARATOR, RULES, Tally, active_rules
from newscorpus.record.schema import load_schema, quotation_fields, schema_version
from newscorpus.version import PIPELINE_VERSION

if TYPE_CHECKING:
    # Imported where records are built, not where they are checked: `newscorpus validate`
    # starts without the annotator (≈ 0.1 s of imports), and without `jsonschema` until a
    # record fails the compiled validator and needs its report (≈ 0.1 s more).
    import jsonschema

    from newscorpus.annotate.quotes import Quote
    from newscorpus.read.profiles import Article


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a record (or a published file) breaks the rules.

    `pointer` is a JSON pointer into the record (`/quotes/2/start`), empty for the whole.
    """

    file: str
    record_id: str | None
    pointer: str
    message: str

    def __str__(self) -> str:
        if not self.pointer and not self.record_id:
            return f"{self.file}: {self.message}"  # about the file, not a record
        where = self.file + (f" [{self.record_id}]" if self.record_id else "")
        return f"{where} {self.pointer or '/'}: {self.message}"


def _quote_dict(quote: Quote, location: str, index: int | None) -> dict[str, Any]:
    """The record's form of one quotation: every field of the schema's quotation, in its
    order, from the annotator's `Quote` (a field it does not make yet is null), and
    where it sits (`RULES.location`)."""
    placed = {RULES.location.kind: location, RULES.location.index: index}
    return {
        name: placed[name] if name in placed else getattr(quote, name, None)
        for name in quotation_fields()
    }


def annotate_quotes(
    headline: str,
    subheadlines: tuple[str, ...],
    body: str,
    options: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Extract quotes from each text field; offsets index the field named by `location`.
    Speakers resolve through one entity table of the whole article
    (`annotate.entity_table`): the headline's people are the body's too.

    `options`: the source's annotation options (`sources.ANNOTATION_OPTIONS`).
    """
    from newscorpus.annotate.quotes import extract_article_quotes

    he_org = bool((options or {}).get("organisations_as_he", False))
    found = extract_article_quotes((headline, *subheadlines, body), organisations_as_he=he_org)
    quotes = [_quote_dict(q, "headline", None) for q in found[0]]
    for index, line_quotes in enumerate(found[1:-1]):
        quotes.extend(_quote_dict(q, "subheadline", index) for q in line_quotes)
    quotes.extend(_quote_dict(q, "body", None) for q in found[-1])
    return quotes


def count_speakers(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per distinct resolved speaker, in order of first quote, with its count
    (the `speakers` tally of `rules.RULES`)."""
    (speakers,) = [tally for tally in RULES.tallies if tally.target == "speakers"]
    return speakers.expected(quotes)


def build_record(
    raw: RawFile, source: Source, raw_sha256: str, article: Article, profile: str
) -> dict[str, Any]:
    """Turn a parsed article into a record dict (pure: no I/O)."""
    body = PARAGRAPH_SEPARATOR.join(article.paragraphs)
    quotes = annotate_quotes(
        article.headline, article.subheadlines, body, source.annotation_options()
    )
    return {
        "id": article_id(source.key, raw.relpath, article.part),
        "source": source.name,
        "source_file": raw.relpath if article.part is None else f"{raw.relpath}#{article.part}",
        "raw_sha256": raw_sha256,
        "url": article.url,
        "published": article.published,
        "language": source.language,
        "headline": article.headline,
        "subheadlines": list(article.subheadlines),
        "body": body,
        "captions": list(article.captions),
        "bylines": list(article.bylines),
        "dateline": article.dateline,
        "notes": list(article.notes),
        "removed": [{"role": role, "text": text} for role, text in article.removed],
        "quotes": quotes,
        "speakers": count_speakers(quotes),
        "profile": profile,
        "encoding": article.encoding,
        "normalization": list(article.steps),
        "schema_version": schema_version(),
        "pipeline_version": PIPELINE_VERSION,
    }


@cache
def _validator() -> jsonschema.protocols.Validator:
    import jsonschema

    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def schema_problems(record: Any, file: str = "") -> Iterator[Problem]:
    """Yield what `jsonschema` finds wrong with `record` (full report, JSON pointers)."""
    record_id = record.get("id") if isinstance(record, dict) else None
    for error in sorted(_validator().iter_errors(record), key=lambda e: list(e.absolute_path)):
        yield Problem(
            file,
            record_id if isinstance(record_id, str) else None,
            _pointer(error.absolute_path),
            error.message,
        )


def _span_problem(field: str, start: Any, end: Any, expected: Any) -> str | None:
    if start is None and end is None and expected is None:
        return None
    if not isinstance(start, int) or not isinstance(end, int) or expected is None:
        return "offsets and text must be all set or all null"
    if not 0 <= start <= end <= len(field):
        return f"offsets {start}:{end} outside the field (length {len(field)})"
    if field[start:end] != expected:
        return f"offsets {start}:{end} slice to {field[start:end]!r}, not {expected!r}"
    return None


def cross_field_problems(record: dict[str, Any], file: str = "") -> Iterator[Problem]:
    """Yield violations of the cross-field rules (`rules.RULES`) for a schema-valid record,
    each with a JSON pointer and a message."""
    rules = active_rules()
    record_id = record["id"]
    location = rules.location
    indexed_name = location.indexed[0]
    for index, quote in enumerate(record[rules.items]):
        where = f"/{rules.items}/{index}"
        field = location.field_text(record, quote)
        if field is None:
            yield Problem(
                file,
                record_id,
                f"{where}/{location.index}",
                f"{location.kind} {indexed_name!r} needs a valid {location.index}",
            )
            continue
        if quote[location.kind] != indexed_name and quote[location.index] is not None:
            yield Problem(
                file,
                record_id,
                f"{where}/{location.index}",
                f"must be null unless {location.kind} is {indexed_name!r}",
            )
        for span in rules.spans:
            problem = _span_problem(field, quote[span.start], quote[span.end], quote[span.text])
            if problem:
                yield Problem(file, record_id, f"{where}/{span.start}", problem)
        for pair in rules.paired:
            if (quote[pair.first] is None) != (quote[pair.second] is None):
                yield Problem(
                    file,
                    record_id,
                    f"{where}/{pair.first}",
                    f"{pair.first} and {pair.second} must be both set or both null",
                )
    for tally in rules.tallies:
        if record[tally.target] != tally.expected(record[rules.items]):
            yield Problem(
                file,
                record_id,
                f"/{tally.target}",
                f"does not match the {rules.items}' {tally.value}s and counts",
            )
    for paragraphs in rules.paragraphs:
        if not paragraphs.holds(record[paragraphs.field]):
            yield Problem(file, record_id, f"/{paragraphs.field}", "has an empty paragraph")


@cache
def fast_validator() -> Any:
    """Return the compiled jsonschema-rs validator of the schema, or None if not installed.

    About 50 times faster than `jsonschema` on these records; it only says valid or not,
    so `jsonschema` still writes the report of a record it rejects.
    """
    try:
        import jsonschema_rs
    except ImportError:  # an optimisation, not a requirement
        return None
    return jsonschema_rs.Draft202012Validator(load_schema(), validate_formats=True)


def record_problems(record: Any, file: str = "") -> list[Problem]:
    """Return every problem of one record: schema first (a compiled validator, then
    `jsonschema` for the report: tests hold both to the same verdicts), then the
    cross-field rules (the fast path, then the report)."""
    fast = fast_validator()
    if fast is None or not fast.is_valid(record):
        problems = list(schema_problems(record, file))
        if problems:
            return problems
        if fast is not None:
            # The validators disagree: report it rather than silently trusting either.
            return [
                Problem(
                    file,
                    record.get("id") if isinstance(record, dict) else None,
                    "",
                    "jsonschema-rs rejects this record but jsonschema accepts it",
                )
            ]
    if cross_fields_hold(record):
        return []
    return list(cross_field_problems(record, file))


def cross_fields_hold(record: dict[str, Any]) -> bool:
    """True only when `cross_field_problems` finds nothing (a schema-valid record): the
    second implementation of `rules.RULES`, for the common case.

    The same rules, checked without building messages: the common case (every rule holds)
    costs a few µs; any doubt returns False and `cross_field_problems` writes the report.
    """
    rules = active_rules()
    location = rules.location
    kind, index_name = location.kind, location.index
    direct = location.direct
    indexed, array = location.indexed
    texts = record[array]
    spans = [(span.text, span.start, span.end) for span in rules.spans]
    paired = [(pair.first, pair.second) for pair in rules.paired]
    tallies: list[tuple[Tally, dict[Any, int]]] = [(tally, {}) for tally in rules.tallies]
    for quote in record[rules.items]:
        where = quote[kind]
        index = quote[index_name]
        if where in direct:
            if index is not None:
                return False
            field = record[where]
        elif where == indexed and type(index) is int and 0 <= index < len(texts):
            field = texts[index]
        else:
            return False
        size = len(field)
        for name, start_name, end_name in spans:
            start, end, expected = quote[start_name], quote[end_name], quote[name]
            if start is None and end is None and expected is None:
                continue
            if (
                type(start) is not int
                or type(end) is not int
                or not 0 <= start <= end <= size
                or field[start:end] != expected
            ):
                return False
        for first, second in paired:
            if (quote[first] is None) != (quote[second] is None):
                return False
        for tally, counts in tallies:
            value = quote[tally.value]
            if value:
                counts[value] = counts.get(value, 0) + 1
    for tally, counts in tallies:
        expected_entries = [{tally.name: v, tally.count: c} for v, c in counts.items()]
        if record[tally.target] != expected_entries:
            return False
    return all(rule.holds(record[rule.field]) for rule in rules.paragraphs)
