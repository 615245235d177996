"""`warc_html_v1`: web archives (`.warc`, `.warc.gz`) as Common Crawl delivers news.

One Article per WARC `response` record whose HTTP status is 2xx and whose Content-Type
is HTML (`text/html`, `application/xhtml+xml`). Other records (`request`, `metadata`,
`warcinfo`, redirects, 404 pages, images, PDFs) are not articles and are skipped.
Each page is read exactly like the `html_trafilatura_v1` profile (same options), with the
charset of the HTTP Content-Type header taken before the page's own declaration.

`part` is the record's `WARC-Record-ID` (e.g. `urn:uuid:…`, angle brackets dropped). It
is unique per record by the WARC standard, whereas the target URI is not: a crawl can
fetch one URL twice, and two articles must never share an id. The target URI goes into
`url` when the page does not name a canonical URL itself.

A record whose page cannot be read is rejected alone (`<file>#<record id>` in the
ledger). A file that is not a WARC at all is rejected whole (`malformed`); a file
corrupt part-way keeps the records before the damage and rejects the rest as one
`malformed` entry (`<file>#offset-<n>`). A repeated record id is `malformed`.

Options: those of `html_trafilatura_v1`; `max_decompressed_bytes` limits each record's
payload.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.profiles.base import Article, PartRejected, register_profile
from newscorpus.read.profiles.common import check_options, raised_inside
from newscorpus.read.profiles.html import (
    _OPTIONS,
    PARSER_PACKAGES,
    ExtractionSettings,
    decode_html,
    extract_article,
    max_decompressed,
)

PROFILE = "warc_html_v1"
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_:.\-]+)", re.I)


def _html_response(record: Any) -> tuple[str | None, str | None] | None:
    """(target URI, HTTP charset) of a record that holds an HTML page, else None."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = str(record.http_headers.get_statuscode() or "")
    content_type = str(record.http_headers.get_header("Content-Type") or "")
    if not status.startswith("2") or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    charset = _CHARSET.search(content_type)
    uri = record.rec_headers.get_header("WARC-Target-URI")
    return (str(uri) if uri else None), (charset.group(1) if charset else None)


def check_warc_options(options: Mapping[str, Any]) -> None:
    """Raise RejectError `invalid_options` for an option this profile does not take
    (the same options as html_trafilatura_v1)."""
    check_options(options, _OPTIONS, PROFILE)


class _NotWarcError(ValueError):
    """A record warcio read in another format: damage in the file, like warcio's errors."""


# Whose errors on a file are the file's (see `raised_inside`).
_WARC_PACKAGES = ("warcio", "gzip", "zlib", *PARSER_PACKAGES)


@register_profile(
    PROFILE,
    extensions=(".warc", ".warc.gz"),
    description="WARC files (e.g. Common Crawl): one article per HTML response record, "
    "read like html_trafilatura_v1.",
    check_options=check_warc_options,
)
def read_warc(
    data: bytes, options: Mapping[str, Any], *, language: str | None = None
) -> list[Article | PartRejected]:
    """Read every HTML response of a WARC file into Articles (one PartRejected per bad one)."""
    # Imported here so that `import newscorpus` does not pull in warcio.
    from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

    check_warc_options(options)
    settings = ExtractionSettings.from_options(options)
    limit = max_decompressed(options)
    articles: list[Article | PartRejected] = []
    seen: set[str] = set()
    records = 0
    iterator = ArchiveIterator(io.BytesIO(data))
    try:
        for record in iterator:
            records += 1
            if record.format != "warc":
                # warcio also reads the older ARC format, and reads plain text as ARC.
                raise _NotWarcError(f"an {str(record.format).upper()} record, not a WARC record")
            found = _html_response(record)
            if found is None:
                continue
            uri, charset = found
            record_id = str(record.rec_headers.get_header("WARC-Record-ID") or "")
            part = record_id.strip().strip("<>") or f"offset-{iterator.get_record_offset()}"
            if part in seen:
                articles.append(PartRejected(part, "malformed", "repeated WARC-Record-ID"))
                continue
            seen.add(part)
            try:
                payload = record.content_stream().read(limit + 1)
                if len(payload) > limit:
                    raise RejectError("too_large", f"the page is over {limit} bytes")
                decoded = decode_html(payload, charset, language=language)
                articles.append(
                    extract_article(
                        decoded.text,
                        settings,
                        url=uri,
                        encoding=decoded.encoding,
                        steps=decoded.steps,
                        part=part,
                    )
                )
            except RejectError as exc:
                articles.append(PartRejected(part, exc.reason, exc.message))
    # A WARC is untrusted input to warcio: whatever it trips over (bad headers, a corrupt
    # gzip member) is damage in the file, so it becomes a reject, never a crash. Errors
    # of our own code, imports and memory are bugs and go on (see `raised_inside`).
    except Exception as exc:
        if not isinstance(exc, _NotWarcError) and not raised_inside(exc, _WARC_PACKAGES):
            raise
        message = f"not a readable WARC: {type(exc).__name__}: {exc}"
        if records <= 1 and not articles:
            raise RejectError("malformed", message) from exc
        offset = getattr(iterator, "offset", None)
        articles.append(PartRejected(f"offset-{offset}", "malformed", message))
    if records == 0 and data.strip():
        # warcio ends quietly on bytes that hold no WARC record; say so.
        raise RejectError("malformed", "no WARC record found in the file")
    return articles
