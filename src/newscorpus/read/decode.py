"""Bytes to faithful text: a documented decoding fallback chain and minimal normalization.

Decoding chain (first that succeeds wins; the encoding used is recorded in the record):

1. a byte-order mark: UTF-8 (``utf-8-sig``), UTF-16 LE/BE (``utf-16``);
2. UTF-16 without a BOM (``utf-16-le``/``utf-16-be``), recognised only by its NUL bytes:
   text that is mostly ASCII has a NUL in every other byte, at one parity, and none at
   the other (see `utf16_byte_order`);
3. strict UTF-8;
4. cp949 (Korean, a superset of EUC-KR), accepted only when most non-ASCII characters it
   yields are Hangul: many cp1252 byte pairs are also valid cp949, so this guards Latin
   text from being read as Korean;
5. cp1252 (Windows Western; covers Latin-1's printable range).

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


def _hangul_share(text: str) -> float:
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii:
        return 0.0
    hangul = sum(1 for ch in non_ascii if "\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f")
    return hangul / len(non_ascii)


def decode_bytes(data: bytes) -> tuple[str, str, bool]:
    """Decode raw bytes with the fallback chain; return (text, encoding, had_bom).

    Raises RejectError `binary` for NUL bytes or control-character noise and
    `undecodable` when no encoding of the chain applies.
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
    try:
        text = data.decode("cp949")
        if _hangul_share(text) >= 0.5:
            return _checked(text, data, "cp949"), "cp949", False
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1252"), data, "cp1252"), "cp1252", False
    except UnicodeDecodeError as exc:
        raise RejectError("undecodable", "not valid UTF-8, UTF-16, cp949 or cp1252") from exc


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


def decode_and_normalize(data: bytes) -> DecodedText:
    """Decode raw bytes (see the module docstring) and normalize the text."""
    text, encoding, had_bom = decode_bytes(data)
    normalized, steps = normalize_text(text)
    if had_bom:
        steps = ("strip_bom", *steps)
    return DecodedText(text=normalized, encoding=encoding, steps=steps)
