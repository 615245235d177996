"""Bytes to faithful text: a documented decoding fallback chain and minimal normalization.

Decoding chain (first that succeeds wins; the codec used, under its normalised name
(`codecs.lookup(...).name`), is recorded in the record):

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-16 LE/BE (``utf-16``);
2. UTF-16 without a BOM (``utf-16-le``/``utf-16-be``), recognised only by its NUL bytes:
   text that is mostly ASCII has a NUL in every other byte, at one parity, and none at
   the other (see `utf16_byte_order`);
3. strict UTF-8 (ASCII included); these three steps never guess, and are the fast path;
4. a legacy encoding, guessed by `newscorpus.read.charsets.guess_legacy` from three
   witnesses: the source's declared language (its writing system's encodings, e.g.
   cp1251, KOI8-R for ``ru``; cp949 for ``ko``; cp1252 for ``en`` or ``fr``), the text
   itself (a decode that looks like mojibake, or whose letters are not in that writing
   system's script, is refused) and a detector, charset-normalizer. When the language
   and the detector both have an answer they must agree; either decides alone when
   the other has none (``mul``, an undeclared language, an article in another
   language than its source's); strict decoding in the chosen codec;
5. otherwise the file is rejected `undetermined_encoding`: a wrong guess is never
   published as valid-looking text.

Bytes with NUL characters (outside UTF-16) or a high share of control characters are
binary and rejected. Normalization never touches quotation marks, apostrophes, ellipses
or dashes: it strips a BOM, turns CRLF/CR into LF, strips trailing whitespace on lines
and applies Unicode NFC, and reports which of these changed anything.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from newscorpus.errors import RejectError
from newscorpus.read.charsets import guess_legacy

# Share of control characters above which text is treated as binary, not prose.
_MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
# Share of the high bytes that must be NUL to read BOM-less bytes as UTF-16: mostly
# ASCII text (Latin prose with some curly quotes or accents) is far above it; binary
# data with NULs at both parities, or text with none, never qualifies.
_MIN_UTF16_NUL_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from raw bytes, the encoding used and the normalization steps applied."""

    text: str
    encoding: str
    steps: tuple[str, ...]


def decode_bytes(data: bytes, *, language: str | None = None) -> tuple[str, str, bool]:
    """Decode raw bytes with the fallback chain; return (text, encoding, had_bom).

    `language` is the source's BCP 47 tag from the registry; it only weighs the guess
    of a legacy encoding (step 4 of the chain). Raises RejectError `binary` for NUL
    bytes or control-character noise, `undecodable` for a BOM or UTF-16 layout the
    bytes break, and `undetermined_encoding` when no legacy encoding can be trusted.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[3:].decode("utf-8"), data, "utf-8-sig"), "utf-8-sig", True
        except UnicodeDecodeError as exc:
            raise RejectError("undecodable", f"UTF-8 BOM but invalid UTF-8: {exc}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), data, "utf-16"), "utf-16", True
        except UnicodeDecodeError as exc:
            raise RejectError("undecodable", f"UTF-16 BOM but invalid UTF-16: {exc}") from exc
    if b"\x00" in data:
        encoding = utf16_byte_order(data)
        if encoding is None:
            raise RejectError("binary", "contains NUL bytes (binary data, not text)")
        try:
            return _checked(data.decode(encoding), data, encoding), encoding, False
        except UnicodeDecodeError as exc:
            raise RejectError("undecodable", f"looks like {encoding} but is not: {exc}") from exc
    try:
        return _checked(data.decode("utf-8"), data, "utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    # Control bytes are control characters in every legacy encoding read (none uses
    # them inside a multi-byte character), and a decode is never longer than its bytes:
    # noise this check lets through is caught on the decoded text below.
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(data):
        raise RejectError(
            "binary", f"{controls} control bytes in {len(data)} (binary data, not text)"
        )
    text, encoding = guess_legacy(data, language)
    return _checked(text, data, encoding), encoding, False


def utf16_byte_order(data: bytes) -> str | None:
    """Return "utf-16-le" or "utf-16-be" when BOM-less bytes look like UTF-16 text, else None.

    The test is on NUL bytes only: an even length, no NUL at one parity (UTF-16 text has
    no NUL characters) and NULs in at least half the bytes of the other, the high bytes
    of ASCII characters.

    >>> utf16_byte_order("Seoul said".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_byte_order(b"\\x00\\x00\\x01\\x02" * 4) is None
    True
    """
    if len(data) < 2 or len(data) % 2:
        return None
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    if even_nuls == 0 and odd_nuls >= _MIN_UTF16_NUL_SHARE * half:
        return "utf-16-le"
    if odd_nuls == 0 and even_nuls >= _MIN_UTF16_NUL_SHARE * half:
        return "utf-16-be"
    return None


def _checked(text: str, data: bytes, encoding: str) -> str:
    if "\x00" in text:
        raise RejectError("binary", f"contains NUL characters after {encoding} decoding")
    if encoding == "utf-8":
        # One byte per control character, and UTF-8 never uses those byte values inside
        # a multi-byte sequence: count them on the bytes, in one C pass.
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    elif _CONTROL.search(text) is None:
        controls = 0
    else:
        controls = len(_CONTROL.findall(text))
    if text and controls / len(text) > _MAX_CONTROL_SHARE:
        raise RejectError(
            "binary", f"{controls} control characters in {len(text)} (binary data, not text)"
        )
    return text


def normalize_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Normalize line endings, trailing whitespace and Unicode form; return (text, steps).

    >>> normalize_text("a \\r\\nb\\rc")
    ('a\\nb\\nc', ('crlf_to_lf', 'strip_trailing_whitespace'))
    """
    steps: list[str] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        steps.append("strip_bom")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        steps.append("crlf_to_lf")
    # `[ \t]+$` (multiline) can only match before a newline or at the very end.
    has_trailing = " \n" in text or "\t\n" in text or text.endswith((" ", "\t"))
    stripped = _TRAILING_SPACE.sub("", text) if has_trailing else text
    if stripped != text:
        text = stripped
        steps.append("strip_trailing_whitespace")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        steps.append("nfc")
    return text, tuple(steps)


def decode_and_normalize(data: bytes, *, language: str | None = None) -> DecodedText:
    """Decode raw bytes (see the module docstring) and normalize the text.

    `language`: the source's declared BCP 47 tag, weighing the guess of a legacy encoding.
    """
    text, encoding, had_bom = decode_bytes(data, language=language)
    normalized, steps = normalize_text(text)
    if had_bom:
        steps = ("strip_bom", *steps)
    return DecodedText(text=normalized, encoding=encoding, steps=steps)
