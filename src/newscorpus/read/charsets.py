"""Which legacy encoding bytes are in: writing systems, the mojibake test and the detector.

Bytes that are neither UTF-8 nor UTF-16 are in some legacy encoding, and the bytes alone
rarely say which: cp1251 Russian decodes without error as cp1252 ("Ïðåçèäåíò"), GB18030
Chinese as cp1252 or cp949. `guess_legacy` hears three witnesses and answers only when
they agree; otherwise it raises RejectError `undetermined_encoding`, so that a wrong
guess never reaches the corpus as valid-looking text.

- The source's declared language (a BCP 47 tag from the registry) names a writing system
  (`WRITING_SYSTEMS`) and the encodings its newsrooms used: cp1251, KOI8-R and KOI8-U
  for ``ru``, cp949 for ``ko``, Shift-JIS, cp932 and EUC-JP for ``ja``, GB18030 and
  Big5 for ``zh`` (Big5 first for ``zh-Hant``/``-TW``/``-HK``), cp1252 for ``en``,
  ``fr`` and the other Western European languages... Those giving believable text are
  the candidates. `mul`, `und` and languages without an entry name none.
- The text itself: a decode is believable when it does not look like mojibake
  (`looks_garbled`) and its letters are in its writing system's scripts
  (`fits_writing_system`: Cyrillic for cp1251, mostly Hangul for cp949...).
- A well-kept detector, charset-normalizer, ranks encodings by how orderly and how
  language-like each decode is. Its trusted guess is the first in its ranking of a
  known writing system, believable, and whose language as the detector hears it
  belongs to that writing system (cp1250 heard as German is skipped).

Verdict: when both the language and the detector speak, the detector's text must be
one of the candidates' (the first declared codec giving it is recorded): this settles
cp1251 against KOI8-R, or GB18030 against Big5. The detector alone decides when the
language names no writing system or none of its encodings is believable (an article in
another language than its source's); the language alone when the detector has no
trusted guess and the candidates agree on one text. Anything else is rejected.

The detector is imported on first use: UTF-8, ASCII and BOM input never reach it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from newscorpus.errors import RejectError

# Share of a decode's non-ASCII letters that must be in its writing system's scripts.
_MIN_SCRIPT_SHARE = 0.9
# Share of words with a non-ASCII character that may look like mojibake before the whole
# decode is refused: one stray token in an article is a typo, not a wrong encoding.
_MAX_SUSPICIOUS_SHARE = 0.2
# Words with a non-ASCII character judged at most (the first ones): enough for the shares
# above, and a long legacy file costs no more than a few articles.
_MAX_WORDS_JUDGED = 5000
# A wrong single-byte Cyrillic codec swaps cases ("тВЕРИ"): refused when at least this
# many words, and at least half of all mixed-case words, have a lower-to-upper switch.
_MIN_CASE_FLIP_WORDS = 2


@dataclass(frozen=True, slots=True)
class WritingSystem:
    """A script as legacy encodings carry it.

    `codecs`: tried in this order for a source declaring one of `languages` (BCP 47
    primary subtags); `also`: further codecs of the system, accepted when the detector
    proposes them; `scripts`: the letter classes (see `_letter_class`) its text is in,
    `main` the one that must make up at least `main_share` of its letters; `names`:
    charset-normalizer's names of its languages.
    """

    codecs: tuple[str, ...]
    also: tuple[str, ...]
    scripts: frozenset[str]
    languages: frozenset[str]
    names: frozenset[str]
    main: str = ""
    main_share: float = 0.0


def _system(
    codecs_: str,
    also: str,
    scripts: str,
    languages: str,
    names: str,
    main: str = "",
    share: float = 0.0,
) -> WritingSystem:
    return WritingSystem(
        tuple(codecs_.split()),
        tuple(also.split()),
        frozenset(scripts),
        frozenset(languages.split()),
        frozenset(names.split()),
        main,
        share,
    )


# Letter classes: L Latin beyond ASCII, C Cyrillic, G Greek, H Hangul, K kana, Z Han,
# E Hebrew, R Arabic, T Thai. Korean may hold Hanja, Japanese is kana and kanji.
WRITING_SYSTEMS: dict[str, WritingSystem] = {
    "western": _system(
        "cp1252",
        "iso8859_15 latin_1",
        "L",
        "en fr de es it pt nl ca da sv nb nn no fi is ga gd gl eu af sw id ms oc lb fo rm br",
        "English French German Spanish Italian Portuguese Dutch Danish Swedish Norwegian "
        "Finnish Indonesian",
    ),
    "central": _system(
        "cp1250 iso8859_2",
        "",
        "L",
        "pl cs sk hu sl hr bs ro sq",
        "Polish Czech Slovak Hungarian Slovene Croatian Romanian",
    ),
    "baltic": _system("cp1257 iso8859_13", "", "L", "lt lv et", "Lithuanian Estonian"),
    "turkish": _system("cp1254 iso8859_9", "", "L", "tr az", "Turkish"),
    "vietnamese": _system("cp1258", "", "L", "vi", "Vietnamese"),
    "cyrillic": _system(
        "cp1251 koi8_r koi8_u",
        "iso8859_5 cp866 mac_cyrillic",
        "C",
        "ru uk be bg mk sr kk ky tg mn tt ba cv",
        "Russian Bulgarian Ukrainian Serbian Kazakh",
    ),
    "greek": _system("cp1253 iso8859_7", "", "G", "el", "Greek"),
    "hebrew": _system("cp1255 iso8859_8", "", "E", "he iw yi", "Hebrew"),
    "arabic": _system("cp1256 iso8859_6", "", "R", "ar fa ur ps", "Arabic Farsi"),
    "thai": _system("cp874", "tis_620", "T", "th", "Thai"),
    "korean": _system("cp949", "euc_kr", "HZ", "ko", "Korean", "H", 0.5),
    "japanese": _system(
        "shift_jis cp932 euc_jp",
        "euc_jis_2004 shift_jis_2004",
        "KZ",
        "ja",
        "Japanese",
        "K",
        0.1,
    ),
    "chinese": _system("gb18030 big5", "cp950 big5hkscs gbk gb2312", "Z", "zh yue cmn", "Chinese"),
}
# Subtags of Chinese in traditional characters, mostly written in Big5 (Taiwan, Hong
# Kong, Macau); Cantonese (yue) too.
_TRADITIONAL = frozenset({"hant", "tw", "hk", "mo"})


def _codec_name(label: str) -> str:
    return codecs.lookup(label).name


# Every codec a writing system knows, by its normalised name (`codecs.lookup(...).name`).
_SYSTEM_OF_CODEC: dict[str, str] = {
    _codec_name(codec): key
    for key, system in WRITING_SYSTEMS.items()
    for codec in (*system.codecs, *system.also)
}
_SYSTEM_OF_NAME: dict[str, str] = {
    name: key for key, system in WRITING_SYSTEMS.items() for name in system.names
}


def declared_codecs(language: str | None) -> tuple[str | None, tuple[str, ...]]:
    """Return the writing system a BCP 47 tag names and its codecs, in the order tried.

    `mul` (many languages), `und` and tags without a table entry name none.

    >>> declared_codecs("zh-TW")
    ('chinese', ('big5', 'gb18030'))
    >>> declared_codecs("mul")
    (None, ())
    """
    if not language:
        return None, ()
    primary, *subtags = language.lower().split("-")
    key = next((k for k, s in WRITING_SYSTEMS.items() if primary in s.languages), None)
    if primary == "sr" and "latn" in subtags:
        key = "central"  # Serbian is written in both alphabets
    if key is None:
        return None, ()
    found = tuple(_codec_name(codec) for codec in WRITING_SYSTEMS[key].codecs)
    if key == "chinese" and (primary == "yue" or _TRADITIONAL.intersection(subtags)):
        found = tuple(reversed(found))
    return key, found


def _letter_class(ch: str) -> str:
    """One character's class for the mojibake test.

    A ASCII letter; L C G H K Z E R T the scripts above; k half-width kana; O another
    letter; S a symbol that prose does not use next to letters (the Latin-1 ones that
    mojibake is made of); B a character no text holds (C1 control, private use,
    unassigned, replacement character); "" neutral (space, digits, punctuation).
    """
    code = ord(ch)
    if code < 0x80:
        return "A" if ch.isalpha() else ""
    if code < 0xA0:
        return "B"  # C1 controls: what Latin-1 makes of cp1252's curly quotes
    if code < 0xC0:
        return "S" if ch in _LATIN1_SYMBOLS else ""
    if code <= 0x24F:
        return "S" if ch in "×÷ƒ" else "L"
    if 0x1E00 <= code <= 0x1EFF:
        return "L"
    if 0x370 <= code <= 0x3FF or 0x1F00 <= code <= 0x1FFF:
        return "G"
    if 0x400 <= code <= 0x52F:
        return "C"
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "H"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "K" if ch != "・" else ""
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "Z"
    if 0x20000 <= code <= 0x3FFFF or ch in "々〆〇":
        return "Z"
    if 0xFF61 <= code <= 0xFF9F:
        return "k"
    if 0xFF01 <= code <= 0xFF5E:
        return "A" if ch.isalpha() else ""  # full-width ASCII ("ＪＲ東日本")
    if 0x590 <= code <= 0x5FF:
        return "E"
    if 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
        return "R" if unicodedata.category(ch) != "Cn" else "B"
    if 0xE00 <= code <= 0xE7F:
        return "T"
    if ch in "ˆ˜‰†‡" or 0x2190 <= code <= 0x23FF or 0x2500 <= code <= 0x259F:
        return "S"  # cp1252's odd signs; arrows, maths and box drawing (KOI8's high half)
    if 0x2B0 <= code <= 0x2FF:
        return ""  # modifier letters: the apostrophe ʼ of Ukrainian words, accents
    category = unicodedata.category(ch)
    if category in ("Co", "Cn", "Cs") or ch == "\ufffd":
        return "B"
    if category in ("Ll", "Lu", "Lt", "Lm", "Lo"):
        return "O"
    return ""


# Latin-1 signs that turn up when CJK or Cyrillic bytes are read as cp1252; the ones
# prose uses (no-break space, ¡ ¿ « » £ € § © ® ° ·) stay neutral.
_LATIN1_SYMBOLS = frozenset("¢¤¥¦¨ª¬\xad¯±²³´µ¶¸¹º¼½¾")
# A UTF-8 lead byte (0xC2-0xDE) and a continuation byte (0x80-0xBF) read as cp1252 or
# Latin-1: "Ã©" for "é". ß (0xDF) is left out: German puts it before a closing quote.
_UTF8_AS_LATIN = re.compile("[\u00c2-\u00de][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]")
_BICAMERAL = frozenset("ALCG")
_CJK = frozenset("HKZ")
# Letter classes that may share a word: Korean puts Hanja before Hangul particles
# ("美에"), Japanese mixes kana and kanji.
_MIXABLE = (frozenset("HZ"), frozenset("KZ"))
# Scripts that never mix with ASCII letters inside a word in real text.
_NOT_WITH_ASCII = frozenset("CGERT")


# The class string of ASCII: letters "A", everything else neutral (a space).
_ASCII_CLASSES = {code: "A" if chr(code).isalpha() else " " for code in range(0x80)}
# A word worth looking at: a run of letters and signs with at least one beyond ASCII.
_WORD = re.compile(r"[^ ]*[^ A][^ ]*")


def _classes(text: str) -> str:
    """The text with each character replaced by its class (`_letter_class`; neutral
    characters and white space by a space), so that words are runs of non-spaces."""
    table = dict(_ASCII_CLASSES)
    for ch in set(text):  # classified once per distinct character, translated in C
        if not ch.isascii():
            table[ord(ch)] = (_letter_class(ch) or " ") if not ch.isspace() else " "
    return text.translate(table)


def _suspicious(word: str, classes: str) -> bool:
    """Whether one word looks like mojibake (see `looks_garbled`)."""
    scripts = set(classes) - {"A", "S"}
    run = 0
    for index, cls in enumerate(classes):
        run = run + 1 if cls in "LS" else 0
        if run >= 3:
            return True  # "Ïðå": three non-ASCII Latin letters or signs in a row
        if cls == "S":
            before = classes[index - 1] if index else ""
            after = classes[index + 1] if index + 1 < len(classes) else ""
            if (before and before not in "AS") or (after and after not in "AS"):
                return True  # a sign against a letter beyond ASCII: "±â", "¸Ë"
        if cls == "A" and index and classes[index - 1] in _CJK and word[index].islower():
            return True  # lower-case ASCII right after CJK: Latin bytes read as CJK
    if classes.count("S") >= 2:
        return True
    if "k" in scripts and len(scripts) > 1:
        return True  # half-width kana among full-width letters
    if "A" in classes and scripts & _NOT_WITH_ASCII:
        return True  # "cafй": Latin bytes read as Cyrillic
    if len(scripts) > 1:
        if not any(scripts <= allowed for allowed in _MIXABLE):
            return True
        switches = sum(1 for a, b in pairwise(classes) if {a, b} == {"H", "Z"})
        if switches >= 2:
            return True  # Hangul and Hanja interleaved: Chinese bytes read as cp949
    return False


def _has_case_flip(word: str, classes: str) -> bool:
    """A lower-case letter right before an upper-case one, both beyond ASCII."""
    for index in range(1, len(word)):
        a, b = word[index - 1], word[index]
        if a.islower() and b.isupper() and "A" not in classes[index - 1 : index + 1]:
            return True
    return False


def _is_mixed_case(word: str) -> bool:
    return any(ch.isupper() for ch in word) and any(ch.islower() for ch in word)


def looks_garbled(text: str) -> bool:
    """Whether decoded text looks like mojibake, the wrong encoding's reading of bytes.

    Refused: a character no text holds (C1 control, private use, unassigned); more than
    a fifth of the words with a non-ASCII character being suspicious (three non-ASCII
    Latin letters or signs in a row as in "Ïðåçèäåíò", a Latin-1 sign against a letter,
    letters of scripts that do not mix in one word, half-width kana among kanji,
    Hangul and Hanja interleaved, lower-case ASCII glued after CJK, UTF-8 read as
    Latin-1 as in "Ã©"); or cases swapped,
    a lower-case letter before an upper-case one, in at least two words and half of
    the mixed-case ones ("тВЕРИ", KOI8-R read as cp1251).

    >>> looks_garbled("Ïðåçèäåíò âñòðåòèëñÿ")
    True
    >>> looks_garbled("Le président a rencontré les élèves à Lyon.")
    False
    """
    return _garbled(text, _classes(text))


def _garbled(text: str, classes: str) -> bool:
    if "B" in classes:
        return True
    non_ascii = suspicious = flipped = mixed_case = 0
    for match in _WORD.finditer(classes):
        if non_ascii == _MAX_WORDS_JUDGED:
            break  # a wrong encoding garbles a text throughout: a sample is enough
        word, word_classes = text[match.start() : match.end()], match.group()
        non_ascii += 1
        suspicious += _suspicious(word, word_classes)
        if set(word_classes) & _BICAMERAL and _is_mixed_case(word):
            mixed_case += 1
            flipped += _has_case_flip(word, word_classes)
    suspicious += min(len(_UTF8_AS_LATIN.findall(text)), _MAX_WORDS_JUDGED)
    if suspicious and suspicious >= _MAX_SUSPICIOUS_SHARE * non_ascii:
        return True
    return flipped >= _MIN_CASE_FLIP_WORDS and 2 * flipped >= mixed_case


def fits_writing_system(text: str, system: str) -> bool:
    """Whether the non-ASCII letters of `text` are in the scripts of a writing system.

    >>> fits_writing_system("서울시는 美에 경고", "korean")
    True
    >>> fits_writing_system("北京地铁新线路", "korean")
    False
    """
    return _fits(_classes(text), system)


def _fits(classes: str, system: str) -> bool:
    spec = WRITING_SYSTEMS[system]
    counts = Counter(classes)
    letters = sum(n for cls, n in counts.items() if cls not in " ASB")
    if not letters:
        return True  # nothing to judge: only ASCII letters and signs (the "£" of a price)
    inside = sum(counts[cls] for cls in spec.scripts)
    if inside < _MIN_SCRIPT_SHARE * letters:
        return False
    return not spec.main or counts[spec.main] >= spec.main_share * letters


def _believable(data: bytes, codec: str) -> str | None:
    """The text `codec` makes of the bytes, if it decodes, is not garbled and fits."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    classes = _classes(text)
    if _garbled(text, classes) or not _fits(classes, _SYSTEM_OF_CODEC[codec]):
        return None
    return text


def _detector_ranking(data: bytes, isolate: Sequence[str] = ()) -> list[tuple[str, str]]:
    """charset-normalizer's ranking of encodings for the bytes, best first.

    Each entry is (normalised codec name, the language the detector hears in that
    decode, or "" when it cannot tell). `isolate` limits the ranking to those codecs.
    """
    # Imported here: importing it costs ~30 ms, and only legacy input needs it.
    from charset_normalizer import from_bytes

    options: dict[str, Any] = {"cp_isolation": list(isolate)} if isolate else {}
    ranking: list[tuple[str, str]] = []
    for match in from_bytes(data, **options):
        try:
            codec = _codec_name(match.encoding)
        except LookupError:
            continue
        ranking.append((codec, str(match.language).rstrip("—")))
    return ranking


class _Believable(dict[str, str | None]):
    """Each codec's believable text of the bytes (None if it is not), judged once."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = data

    def __missing__(self, codec: str) -> str | None:
        self[codec] = text = _believable(self.data, codec)
        return text


def _detector_choice(data: bytes, believable: _Believable) -> tuple[str, str] | None:
    """The detector's best guess that we can trust, as (text, codec), or None.

    Its ranking is walked best first, skipping codecs of no known writing system, codecs
    whose writing system is not that of the language the detector hears in the decode
    (cp1250 read as German), and decodes that are not believable.
    """
    for codec, heard in _detector_ranking(data):
        system = _SYSTEM_OF_CODEC.get(codec)
        if system is None or _SYSTEM_OF_NAME.get(heard, system) != system:
            continue
        text = believable[codec]
        if text is not None:
            return text, codec
    return None


# The Latin-script writing systems whose single-byte code pages read the same bytes as
# different letters.
_LATIN_SYSTEMS = tuple(k for k, s in WRITING_SYSTEMS.items() if s.scripts == frozenset("L"))


def _latin_rivals(data: bytes, choice: tuple[str, str], believable: _Believable) -> bool:
    """True when the detector's Latin code page has a rival: another Latin writing
    system's first code page giving a different believable text of the same bytes."""
    text, codec = choice
    if _SYSTEM_OF_CODEC[codec] not in _LATIN_SYSTEMS:
        return False
    for system in _LATIN_SYSTEMS:
        rival = believable[_codec_name(WRITING_SYSTEMS[system].codecs[0])]
        if rival is not None and rival != text:
            return True
    return False


def guess_legacy(data: bytes, language: str | None = None) -> tuple[str, str]:
    """Decode bytes in a legacy encoding; return (text, normalised codec name).

    The declared language's codecs that give believable text are its candidates; the
    detector's trusted guess (`_detector_choice`) is the other witness. They must agree
    when both speak: the detector's text must be one of the candidates' (the declared
    codec that gives it is recorded). The detector alone decides when no candidate
    survives (an article in another language than its source's, `mul`), the language
    alone when the detector has no trusted guess and exactly one text survives.
    Anything else raises RejectError `undetermined_encoding`.
    """
    _, tried = declared_codecs(language)
    believable = _Believable(data)
    candidates: dict[str, str] = {}  # text -> the first declared codec giving it
    for codec in tried:
        text = believable[codec]
        if text is not None:
            candidates.setdefault(text, codec)
    choice = _detector_choice(data, believable)
    if choice is not None and not candidates and _latin_rivals(data, choice, believable):
        # The detector alone, between Latin code pages that read the bytes differently
        # ("español" in cp1252, "espańol" in cp1250): its language guess on a short
        # text is no ground for a choice (it heard this Spanish as Hungarian).
        choice = None
    if choice is not None and (not candidates or choice[0] in candidates):
        text, codec = choice
        return text, candidates.get(text, codec)
    if choice is None and len(candidates) == 1:
        ((text, codec),) = candidates.items()
        return text, codec
    declared = f"declared language {language!r}: " if tried else ""
    found = ", ".join(candidates.values()) or "no codec gives believable text"
    detected = choice[1] if choice else "no trusted guess"
    raise RejectError(
        "undetermined_encoding",
        f"not UTF-8; {declared}{found}; detector (charset-normalizer): {detected}",
    )
