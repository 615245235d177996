"""`html_trafilatura_v1`: one article per saved HTML page (`.html`, `.htm`, gzipped or not).

The page's main text, headline, URL and publication date are found by trafilatura
(a maintained extractor, evaluated in bench/extraction_eval.py) rather than by
hand-written rules per site:

- body: trafilatura's main-text extraction, one paragraph per output line;
- headline: trafilatura's title (`og:title` and similar meta tags, else a lone `<h1>`,
  else `<title>` with the site-name suffix cut off);
- url: the page's canonical / `og:url` link (or, in a WARC, the record's target URI);
- published: the page's publication date (meta tags, JSON-LD, URL, via htmldate), kept
  only as an ISO calendar date YYYY-MM-DD, else None.

The HTML is parsed by lxml into a tree and read; nothing in the page is executed (no
JavaScript, no network fetches), so a hostile page can only be text.

Decoding: a byte-order mark, then the charset the page (or the HTTP header, in a WARC)
declares, if Python knows it and it decodes the bytes, then the documented fallback chain
of `newscorpus.read.decode`. The text is then normalized like every other source.

Options (`[sources.<folder>.options]`), defaults chosen on the extraction benchmark:

- `favor_precision` (bool, default true): prefer leaving out doubtful blocks (related
  links, teasers); raised F1 from 0.959 to 0.965 on the benchmark pages.
- `include_comments` (bool, default false): reader comments are not the article.
- `include_tables` (bool, default true): keep text in `<table>` elements.
- `max_decompressed_bytes` (int): refuse a `.gz` that inflates past this (default 64 MiB).

Reject codes: `malformed` (bad gzip, no HTML tree), `no_body` (no main text found),
`no_headline` (no title of any kind), `too_large`, `binary`, `undecodable`, `undetermined_encoding`,
`invalid_options`.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from newscorpus.errors import RejectError
from newscorpus.read.decode import DecodedText, decode_bytes, normalize_text
from newscorpus.read.profiles.base import Article, register_profile
from newscorpus.read.profiles.common import (
    DEFAULT_MAX_DECOMPRESSED_BYTES,
    check_options,
    collapse_spaces,
    gunzip_limited,
    iso_date,
    raised_inside,
)

PROFILE = "html_trafilatura_v1"
# The libraries that parse a page for this profile: their errors on a page are the page's.
PARSER_PACKAGES = ("trafilatura", "lxml", "lxml_html_clean", "justext", "htmldate", "courlan")
_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "favor_precision": bool,
    "include_comments": bool,
    "include_tables": bool,
    "max_decompressed_bytes": int,
}
# How far into a page to look for a declared charset (browsers look at 1024 bytes).
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""", re.I)
# WHATWG: pages labelled Latin-1 or ASCII are decoded as windows-1252 by every browser.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """What trafilatura is asked to keep (see the module docstring for the defaults)."""

    favor_precision: bool = True
    include_comments: bool = False
    include_tables: bool = True

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ExtractionSettings:
        """Build settings from a source's options (already checked)."""
        return cls(
            favor_precision=bool(options.get("favor_precision", True)),
            include_comments=bool(options.get("include_comments", False)),
            include_tables=bool(options.get("include_tables", True)),
        )


def declared_charset(data: bytes) -> str | None:
    """Return the charset a page declares in `<meta>` or an XML declaration, if any.

    >>> declared_charset(b'<html><head><meta charset="ISO-8859-1">')
    'ISO-8859-1'
    """
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec_name(label: str) -> str | None:
    label = label.strip().lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(
    data: bytes, http_charset: str | None = None, *, language: str | None = None
) -> DecodedText:
    """Decode page bytes: BOM, then the declared charset (HTTP, then page), then the chain.

    A declared charset that Python does not know or that fails on the bytes is ignored
    (pages lie about their encoding); the fallback chain then decides, its guess of a
    legacy encoding weighed by the source's `language`.
    """
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        for label in (http_charset, declared_charset(data)):
            codec = _codec_name(label) if label else None
            if codec is None or codec.startswith("utf-16"):
                continue  # UTF-16 without a BOM is a mislabel for an ASCII-based page
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if "\x00" in text:
                raise RejectError("binary", f"contains NUL characters after {codec} decoding")
            normalized, steps = normalize_text(text)
            return DecodedText(text=normalized, encoding=codec, steps=steps)
    text, encoding, had_bom = decode_bytes(data, language=language)
    normalized, steps = normalize_text(text)
    return DecodedText(normalized, encoding, ("strip_bom", *steps) if had_bom else steps)


def extract_article(
    html: str,
    settings: ExtractionSettings,
    url: str | None = None,
    encoding: str = "utf-8",
    steps: tuple[str, ...] = (),
    part: str | None = None,
) -> Article:
    """Extract one Article from decoded page text with trafilatura (pure: text in).

    `url` is used when the page names no canonical URL of its own. Raises RejectError
    `malformed`, `no_body` or `no_headline`.
    """
    # Imported here so that `import newscorpus` does not pull in trafilatura and lxml.
    from trafilatura import bare_extraction
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        raise RejectError("malformed", "no HTML document could be parsed from the page")
    # Read before extraction, which prunes the tree it is given.
    marked_captions, marked_bylines = markup_roles(tree)
    try:
        document = bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            favor_precision=settings.favor_precision,
            include_comments=settings.include_comments,
            include_tables=settings.include_tables,
        )
    # The page is untrusted input to a third-party parser: whatever the parser trips over
    # in it is a property of the page, so it becomes a reject with a stable code. An
    # error of ours, a failed import or MemoryError is a bug: it goes on, to stop the build.
    except Exception as exc:
        if not raised_inside(exc, PARSER_PACKAGES):
            raise
        raise RejectError("malformed", f"extraction failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(document, Document) or not (document.text or "").strip():
        raise RejectError("no_body", "no main text found in the page")
    body, body_steps = normalize_text(document.text or "")
    paragraphs = tuple(line.strip() for line in body.split("\n") if line.strip())
    if not marked_bylines and isinstance(document.author, str) and document.author.strip():
        marked_bylines = (collapse_spaces(document.author),)  # meta tags, schema.org JSON-LD
    paragraphs, captions, bylines, role_steps = _take_marked(
        paragraphs, marked_captions, marked_bylines
    )
    headline = collapse_spaces(document.title or "")
    if not headline:
        raise RejectError("no_headline", "the page has no og:title, <h1> or <title>")
    page_url = document.url if isinstance(document.url, str) and document.url else url
    return Article(
        headline=headline,
        subheadlines=(),
        paragraphs=paragraphs,
        encoding=encoding,
        steps=(*steps, *body_steps, "extract_main_text", *role_steps),
        url=page_url,
        published=iso_date(document.date),
        part=part,
        captions=captions,
        bylines=bylines,
    )


# Where a page marks its captions and bylines (the text rules of `read/roles.py` cover
# what no markup says).
_CAPTION_XPATH = "//figcaption"
_BYLINE_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]"
    " | //address | //*[@rel='author'] | //*[@itemprop='author']"
)


def markup_roles(tree: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the texts a page marks as captions (`<figcaption>`) and bylines (`.byline`,
    `<address>`, `rel=author`, schema.org `itemprop=author`), in page order, once each."""
    found: list[tuple[str, ...]] = []
    for xpath in (_CAPTION_XPATH, _BYLINE_XPATH):
        texts: list[str] = []
        for element in tree.xpath(xpath):
            text = collapse_spaces(" ".join(element.itertext()))
            if text.startswith(("By ", "by ")):
                text = text[3:].strip()
            if text and text not in texts and not any(text in kept for kept in texts):
                texts.append(text)
        found.append(tuple(texts))
    return found[0], found[1]


def _take_marked(
    paragraphs: tuple[str, ...], captions: tuple[str, ...], bylines: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Move the paragraphs the markup names as a caption or a byline out of the body;
    return (paragraphs, captions, bylines, steps). Marked texts the extractor left out
    are kept in their fields all the same (they are the page's, not invented)."""
    marked = {caption: "caption" for caption in captions}
    marked.update({byline: "byline" for byline in bylines})
    kept = []
    steps: list[str] = []
    for paragraph in paragraphs:
        text = collapse_spaces(paragraph)
        bare = text[3:].strip() if text.startswith(("By ", "by ")) else text
        role = marked.get(text) or marked.get(bare)
        if role is None:
            kept.append(paragraph)
        elif f"role_markup_{role}" not in steps:
            steps.append(f"role_markup_{role}")
    if captions and "role_markup_caption" not in steps:
        steps.append("role_markup_caption")
    if bylines and "role_markup_byline" not in steps:
        steps.append("role_markup_byline")
    if not kept:  # never an article without a body
        return paragraphs, captions, bylines, tuple(steps)
    return tuple(kept), captions, bylines, tuple(steps)


def check_html_options(options: Mapping[str, Any]) -> None:
    """Raise RejectError `invalid_options` for an option this profile does not take."""
    check_options(options, _OPTIONS, PROFILE)


def max_decompressed(options: Mapping[str, Any]) -> int:
    """The `max_decompressed_bytes` option, or its default."""
    return int(options.get("max_decompressed_bytes", DEFAULT_MAX_DECOMPRESSED_BYTES))


@register_profile(
    PROFILE,
    extensions=(".html", ".htm", ".html.gz", ".htm.gz"),
    description="One article per saved HTML page (gzipped or not); main text, headline, "
    "URL and date by trafilatura.",
    check_options=check_html_options,
)
def read_html(
    data: bytes, options: Mapping[str, Any], *, language: str | None = None
) -> list[Article]:
    """Read one saved page (gzip detected by its magic bytes) into one Article."""
    check_html_options(options)
    steps: tuple[str, ...] = ()
    # By content, not by name: a `.html` that is really gzip is read all the same.
    if data[:2] == b"\x1f\x8b":
        data = gunzip_limited(data, max_decompressed(options))
        steps = ("gunzip",)
    decoded = decode_html(data, language=language)
    return [
        extract_article(
            decoded.text,
            ExtractionSettings.from_options(options),
            encoding=decoded.encoding,
            steps=steps + decoded.steps,
        )
    ]
