"""The text side of a corpus diff: carrying offsets from one version of a field into
another, and the sentence around a quotation (what `newscorpus diff` shows of it).

Both are pure functions of strings; offsets are Unicode code points, as in records.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator
from difflib import SequenceMatcher

# What separates paragraphs in a record's body (the schema's rule).
PARAGRAPH_BREAK = "\n\n"
# The longest sentence shown around a quotation, in characters.
CONTEXT_CHARS = 240
# A quotation shortened to fit the context keeps at least this many characters.
CONTEXT_QUOTE_CHARS = 60


# A word, or one other character, with the spaces after it. Words are compared without
# their spaces: aligning words rather than characters keeps the alignment fast and its
# matches meaningful ("spring." is "spring" and "."), whatever the spacing.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*")


class TextAlignment:
    """Where each offset of an old text lands in a new one (code points).

    Equal texts map every offset to itself. Otherwise the paragraphs both share at the
    start and at the end are kept as they are and the rest is aligned word by word; an
    offset inside text that was replaced maps to the start of the replacement (for a
    span's start) or to its end (for a span's end), so a quotation whose words were
    edited still covers its new words.
    """

    def __init__(self, old: str, new: str) -> None:
        """Align `old` with `new` (the matching blocks are found once, here)."""
        self._identity = old == new
        # (old start, new start, length) of each run of text both sides share.
        blocks: list[tuple[int, int, int]] = []
        if not self._identity:
            # The paragraphs both texts share whole are kept as they are; the rest is
            # aligned word by word. Not the common characters: a shared "." at the
            # very end would pull a quotation's end past the words it belongs with.
            prefix = _common_prefix(old, new)
            cut = old.rfind(PARAGRAPH_BREAK, 0, prefix)
            prefix = cut + len(PARAGRAPH_BREAK) if cut >= 0 else 0
            suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
            kept = old.find(PARAGRAPH_BREAK, len(old) - suffix)
            suffix = len(old) - kept if kept >= 0 else 0
            blocks.append((0, 0, prefix))
            blocks += _word_blocks(
                old[prefix : len(old) - suffix], new[prefix : len(new) - suffix], prefix
            )
            blocks.append((len(old) - suffix, len(new) - suffix, suffix))
        self._blocks = blocks
        self._starts = [a for a, _, _ in blocks]

    def map(self, offset: int, side: str) -> int:
        """Return where `offset` of the old text lands in the new one.

        `side` says which span end the offset is ("start" or "end"): an offset where
        one shared run ends and the next begins belongs to the run after it for a start
        and to the run before it for an end, and an offset inside replaced text maps to
        the replacement's start or end.

        >>> TextAlignment("Kim said it.", "Lee Ji-eun said it.").map(4, "start")
        11
        """
        if self._identity:
            return offset
        if side == "end":
            # The last run starting before the offset: an end belongs to what precedes it.
            k = bisect.bisect_left(self._starts, offset) - 1
            if k < 0:
                return 0
        else:
            k = bisect.bisect_right(self._starts, offset) - 1
        old_start, new_start, length = self._blocks[k]
        if offset < old_start + length or (side == "end" and offset == old_start + length):
            return new_start + offset - old_start
        if side == "end" and k + 1 < len(self._blocks):
            return self._blocks[k + 1][1]
        return new_start + length


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix of `a` and `b`."""
    limit = min(len(a), len(b))
    index = 0
    # Whole chunks first: texts that differ at all mostly share long stretches.
    step = 256
    while index + step <= limit and a[index : index + step] == b[index : index + step]:
        index += step
    while index < limit and a[index] == b[index]:
        index += 1
    return index


def _word_blocks(old: str, new: str, offset: int) -> list[tuple[int, int, int]]:
    """Matching blocks of two texts aligned word by word, shifted by `offset`."""
    old_tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(old)]
    new_tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(new)]
    matcher = SequenceMatcher(
        None,
        [t.rstrip() for t, _ in old_tokens],
        [t.rstrip() for t, _ in new_tokens],
        autojunk=False,
    )
    blocks: list[tuple[int, int, int]] = []
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            (old_token, old_start), (new_token, new_start) = old_tokens[a + k], new_tokens[b + k]
            # The spaces after a word match too when they are the same on both sides.
            length = len(old_token) if old_token == new_token else len(old_token.rstrip())
            last = blocks[-1] if blocks else None
            if last and last[0] + last[2] == old_start and last[1] + last[2] == new_start:
                blocks[-1] = (last[0], last[1], last[2] + length)
            else:
                blocks.append((old_start, new_start, length))
    return [(offset + a, offset + b, length) for a, b, length in blocks]


_SENTENCE_END = re.compile(r"[.!?…][”’\"')\]]*(?=\s|$)")
# A full stop after these ends no sentence ("U.S. Department", "Rep. Ahn").
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Prof|Rep|Sen|Gov|Gen|Col|Lt|Sgt|Capt|Adm|St|Jr|Sr|No|"
    r"vs|etc|Inc|Corp|Co|Ltd|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec))\.$"
)


def _sentence_ends(text: str, lo: int, hi: int) -> Iterator[int]:
    """Offsets just after each sentence end in text[lo:hi] (closing quotes included)."""
    for match in _SENTENCE_END.finditer(text, lo, hi):
        head = text[max(0, match.start() - 6) : match.start() + 1]
        if head.endswith(".") and _ABBREVIATION.search(head):
            continue
        yield match.end()


def sentence_around(
    text: str, start: int, end: int, anchors: Collection[int] = (), cap: int = CONTEXT_CHARS
) -> str:
    """Return the sentence(s) holding text[start:end], at most `cap` characters.

    The window runs from the previous sentence end (or the paragraph's start) to the
    next sentence end (or the paragraph's end). `anchors` (the offsets of the speaker
    mention and the cue) widen it when they lie in the same paragraph, so the words
    that attribute the quotation are shown. A longer window loses the middle of the
    quotation first, then the words farthest from it.

    >>> body = "First one. “We will go,” Lee Ji-eun told reporters. Next one."
    >>> sentence_around(body, 12, 23, anchors=[25, 35])
    '“We will go,” Lee Ji-eun told reporters.'
    """
    paragraph_start = text.rfind(PARAGRAPH_BREAK, 0, start)
    paragraph_start = 0 if paragraph_start < 0 else paragraph_start + len(PARAGRAPH_BREAK)
    paragraph_end = text.find(PARAGRAPH_BREAK, end)
    paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
    inside = [a for a in anchors if paragraph_start <= a <= paragraph_end]
    core_start, core_end = min([start, *inside]), max([end, *inside])
    lo = max(
        (e for e in _sentence_ends(text, paragraph_start, core_start) if e <= core_start),
        default=paragraph_start,
    )
    # From just before the core's end: a quotation ending "Taiwan.”" ends its sentence.
    hi = next(_sentence_ends(text, max(core_end - 1, lo), paragraph_end), paragraph_end)
    hi = max(hi, core_end)
    before, quote, after = text[lo:start], text[start:end], text[end:hi]
    before, after = before.lstrip(), after.rstrip()
    if len(before) + len(quote) + len(after) > cap:
        room = max(CONTEXT_QUOTE_CHARS, cap - len(before) - len(after))
        quote = shorten_middle(quote, room)
        room = max(0, cap - len(quote))
        # Keep the words nearest the quotation: that is where an attribution sits.
        keep_after = min(len(after), max(room // 2, room - len(before)))
        keep_before = min(len(before), room - keep_after)
        before = _keep_end(before, keep_before)
        after = _keep_start(after, keep_after)
    return " ".join((before + quote + after).split())


# A cut moves to the nearest space within this many characters, so words stay whole.
_WORD_SLACK = 20


def _keep_end(text: str, size: int) -> str:
    """The last `size` characters of `text` at most, from a word's start, "…" first."""
    if len(text) <= size:
        return text
    kept = text[len(text) - size + 1 :] if size > 1 else ""
    space = kept.find(" ", 0, _WORD_SLACK)
    return "…" + (kept[space + 1 :] if space >= 0 else kept)


def _keep_start(text: str, size: int) -> str:
    """The first `size` characters of `text` at most, to a word's end, "…" last."""
    if len(text) <= size:
        return text
    kept = text[: size - 1] if size > 1 else ""
    space = kept.rfind(" ", max(0, len(kept) - _WORD_SLACK))
    return (kept[:space] if space >= 0 else kept) + "…"


def shorten_middle(text: str, size: int) -> str:
    """Return `text`, or when longer than `size` its start and end joined by " … ".

    >>> shorten_middle("one two three four five six seven", 20)
    'one two … seven'
    """
    if len(text) <= size:
        return text
    room = max(2, size - 3)
    return (
        _keep_start(text, room - room // 2)[:-1].rstrip()
        + " … "
        + _keep_end(text, room // 2)[1:].lstrip()
    )
