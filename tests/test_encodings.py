"""Legacy encodings (issue 20, item 2): an article decodes to its own text or is rejected
`undetermined_encoding`, never published garbled.

Twelve short two-paragraph articles, each written for this test in the encoding a
newsroom of its language would have saved it in: Russian in cp1251, KOI8-R and UTF-8,
Korean in cp949 and EUC-KR, Japanese in Shift-JIS, Chinese in GB18030 (simplified) and
Big5 (traditional), French in cp1252, Latin-1 and UTF-16, and Korean in UTF-8 with a BOM.
Each is read with its source's language declared, with `mul` (many languages) and with
no language at all, by the decoder and end to end through a build.
"""

from __future__ import annotations

import codecs
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import newscorpus
from newscorpus.errors import RejectError
from newscorpus.read.decode import decode_and_normalize, normalize_text

RU_CP1251 = (
    "Президент встретился с учителями сельских школ\n\n"
    "В четверг президент провёл в Кремле встречу с учителями из небольших сёл Сибири и "
    "Дальнего Востока. Разговор шёл о зарплатах, о нехватке молодых специалистов и о том, "
    "как доставлять учебники в отдалённые посёлки зимой.\n\n"
    "«Мы не можем требовать от учителя невозможного, если в школе нет даже нормального "
    "отопления», — сказала директор школы из Якутии Анна Петрова. По её словам, в этом году "
    "в районе закрылись ещё две школы.\n"
)
# KOI8-R has no guillemets or dashes: a KOI8 newsroom typed ASCII quotes and hyphens.
RU_KOI8R = (
    "В Твери после ремонта открылся драматический театр\n\n"
    "Областной драматический театр в Твери снова принимает зрителей после трёх лет "
    "реставрации. Строители укрепили фундамент, заменили кресла в зале и вернули фасаду "
    "исторический цвет.\n\n"
    'Первым спектаклем стала "Гроза" Островского. "Мы долго ждали этого вечера и очень '
    'волновались", - признался после премьеры главный режиссёр театра Сергей Ильин. '
    "Билеты на ближайший месяц уже распроданы.\n"
)
RU_UTF8 = (
    "На Волге начался сезон речных круизов\n\n"
    "Первый теплоход этого сезона отправился из Нижнего Новгорода в Астрахань в субботу "
    "утром. На борту почти триста пассажиров, а путешествие займёт две недели.\n\n"
    "Туроператоры говорят, что спрос на речные поездки растёт уже третий год подряд. "
    "Особенно популярны короткие маршруты выходного дня до Казани и Ярославля.\n"
)
KO_CP949 = (
    "서울시, 내년부터 심야 버스 노선 늘린다\n\n"
    "서울시는 늦은 밤 귀가하는 시민들의 불편을 줄이기 위해 내년부터 심야 버스 노선을 "
    "지금의 두 배로 늘리겠다고 밝혔다. 새 노선은 주로 지하철이 끊긴 뒤 택시를 잡기 어려운 "
    "외곽 지역을 지나게 된다.\n\n"
    '시 관계자는 "밤늦게 일하는 사람들이 안전하고 저렴하게 집에 갈 수 있도록 하는 것이 '
    '목표"라고 말했다. 시는 이용객 수를 살펴본 뒤 노선을 조정할 계획이다.\n'
)
KO_EUCKR = (
    "전남 농가, 올해 배 수확량 크게 줄어\n\n"
    "지난봄 늦서리와 여름 폭우가 겹치면서 전남 지역의 배 수확량이 지난해보다 30% 가까이 "
    "줄어든 것으로 나타났다. 농민들은 추석을 앞두고 가격이 오를까 걱정하고 있다.\n\n"
    '나주에서 20년째 배 농사를 짓고 있는 김모 씨는 "이렇게 열매가 적게 달린 해는 '
    '처음"이라며 "정부가 피해 농가를 빨리 지원해 주길 바란다"고 말했다.\n'
)
KO_UTF8_BOM = (
    "부산 앞바다에서 돌고래 떼 발견\n\n"
    "부산 해운대 앞바다에서 돌고래 수십 마리가 헤엄치는 모습이 어민들에게 목격됐다. "
    "전문가들은 수온이 오르면서 먹이를 따라 연안 가까이 온 것으로 보고 있다.\n\n"
    "해양 당국은 관광객들에게 돌고래에 너무 가까이 다가가지 말고, 배의 속도를 줄여 "
    "달라고 당부했다.\n"
)
JA_SHIFT_JIS = (
    "東京で桜が満開に、例年より一週間早く\n\n"
    "気象庁は二十日、東京都心で桜が満開になったと発表した。平年より一週間早く、"
    "観測を始めてから最も早い記録に並んだ。\n\n"
    "上野公園には朝から多くの花見客が訪れ、写真を撮ったり、シートを広げて弁当を食べたり"
    "していた。近くに住む女性は「今年は暖かい日が続いたので、早く咲くと思っていました」"
    "と話した。\n"
)
ZH_GB18030 = (
    "北京地铁新线路今日开通\n\n"
    "北京地铁十九号线北延段今天上午正式开通运营，沿线居民前往市中心的时间将缩短约二十分钟。"
    "运营方表示，开通初期列车最小间隔为五分钟。\n\n"
    "一位在附近工作的市民说：“以前每天要换两次车，现在方便多了。”"
    "有关部门还将根据客流情况调整发车频率。\n"
)
ZH_BIG5 = (
    "台北市推動老舊公寓加裝電梯\n\n"
    "台北市政府昨天宣布，將提高老舊公寓加裝電梯的補助金額，希望讓行動不便的長者能更方便地"
    "出門。市府表示，今年已有超過一百棟公寓提出申請。\n\n"
    "住在五樓的陳太太說：「以前買菜回來要休息好幾次，有了電梯以後，生活輕鬆很多。」"
    "不過也有住戶擔心，施工期間會影響日常生活。\n"
)
# Characters only cp1252 has (’ € œ), so Latin-1 could not have written it.
FR_CP1252 = (
    "Les boulangers s’inquiètent du prix de l’énergie\n\n"
    "À Lyon, plusieurs boulangeries ont réduit leurs horaires d’ouverture cet hiver. "
    "La facture d’électricité de certains artisans a presque triplé en un an, atteignant "
    "parfois 3 000 € par mois.\n\n"
    "« On travaille avec le cœur, mais on ne peut pas vendre la baguette à perte », explique "
    "Élodie Marchand, installée dans le quartier de la Croix-Rousse depuis douze ans. Elle "
    "espère que les aides promises par l’État arriveront avant l’été.\n"
)
FR_LATIN1 = (
    "Une nouvelle piste cyclable relie Nantes à la mer\n\n"
    "Après trois ans de travaux, la piste cyclable qui longe la Loire entre Nantes et "
    "Saint-Nazaire a été inaugurée samedi. Les cyclistes peuvent désormais parcourir les "
    "soixante kilomètres sans croiser une seule route très fréquentée.\n\n"
    "« C'est un rêve de gamin qui se réalise », a déclaré le maire d'une commune traversée "
    "par le tracé. Des aires de repos et des bornes de réparation ont été installées tous "
    "les dix kilomètres.\n"
)
FR_UTF16 = (
    "Vendanges précoces dans le Bordelais\n\n"
    "Les vignerons du Bordelais ont commencé à récolter le raisin avec près de deux semaines "
    "d’avance sur le calendrier habituel. La chaleur de l’été a fait mûrir les grappes plus "
    "vite que prévu.\n\n"
    "« La qualité est là, mais les volumes seront plus faibles », résume un viticulteur de "
    "Saint-Émilion, qui craint une baisse de ses revenus cette année.\n"
)


@dataclass(frozen=True)
class Case:
    """One article: its file stem, the codec it was saved in, its text and language."""

    stem: str
    codec: str
    text: str
    language: str

    @property
    def data(self) -> bytes:
        """The file's bytes (Python's `utf-16` and `utf-8-sig` write a BOM)."""
        return self.text.encode(self.codec)

    @property
    def expected(self) -> str:
        """The text a faithful decode yields (after the usual normalization)."""
        return normalize_text(self.text)[0]


CASES = [
    Case("ru_cp1251", "cp1251", RU_CP1251, "ru"),
    Case("ru_koi8r", "koi8_r", RU_KOI8R, "ru"),
    Case("ru_utf8", "utf-8", RU_UTF8, "ru"),
    Case("ko_cp949", "cp949", KO_CP949, "ko"),
    Case("ko_euckr", "euc_kr", KO_EUCKR, "ko"),
    Case("ja_shiftjis", "shift_jis", JA_SHIFT_JIS, "ja"),
    Case("zh_gb18030", "gb18030", ZH_GB18030, "zh"),
    Case("zh_big5", "big5", ZH_BIG5, "zh"),
    Case("fr_cp1252", "cp1252", FR_CP1252, "fr"),
    Case("fr_latin1", "latin-1", FR_LATIN1, "fr"),
    Case("fr_utf16", "utf-16", FR_UTF16, "fr"),
]
BOM_CASE = Case("ko_utf8bom", "utf-8-sig", KO_UTF8_BOM, "ko")
ALL_CASES = [*CASES, BOM_CASE]
# The garbled four: published as valid text before decoding weighed its guesses.
GARBLED_BEFORE = {"ru_cp1251", "ru_koi8r", "zh_gb18030", "zh_big5"}


@pytest.fixture
def charsets() -> ModuleType:
    """The guessing module, for the tests of its parts; the decoding tests use only the
    decoder's public functions (and so also ran, and failed, before it existed)."""
    return importlib.import_module("newscorpus.read.charsets")


def test_the_cases_are_what_they_say() -> None:
    # Each text is really in its language's script and really needs its codec: cp1252
    # French uses characters Latin-1 lacks, the others are not plain ASCII.
    assert all(not case.text.isascii() for case in ALL_CASES)
    with pytest.raises(UnicodeEncodeError):
        FR_CP1252.encode("latin-1")
    assert KO_EUCKR.encode("euc_kr") == KO_EUCKR.encode("cp949")
    assert {case.stem for case in CASES} >= GARBLED_BEFORE
    assert len({case.expected for case in ALL_CASES}) == len(ALL_CASES)


def _outcome(case: Case, language: str | None) -> str:
    """`exact`, `rejected` (undetermined_encoding) or `garbled: ...` for one decode."""
    try:
        if language is None:
            decoded = decode_and_normalize(case.data)
        else:
            decoded = decode_and_normalize(case.data, language=language)
    except RejectError as error:
        assert error.reason == "undetermined_encoding", (case.stem, error.reason, error.message)
        return "rejected"
    if decoded.text != case.expected:
        return f"garbled as {decoded.encoding}: {decoded.text[:30]!r}"
    # The recorded encoding is the codec really used, under its normalised name.
    assert codecs.lookup(decoded.encoding).name == decoded.encoding
    assert normalize_text(case.data.decode(decoded.encoding))[0].lstrip("\ufeff") == case.expected
    return "exact"


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.stem)
def test_no_language_declared_is_never_garbled(case: Case) -> None:
    assert _outcome(case, None) in ("exact", "rejected")


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.stem)
def test_declared_language_is_never_garbled(case: Case) -> None:
    assert _outcome(case, case.language) in ("exact", "rejected")


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.stem)
def test_many_languages_is_never_garbled(case: Case) -> None:
    assert _outcome(case, "mul") in ("exact", "rejected")


def test_declared_language_decodes_at_least_ten_of_eleven() -> None:
    outcomes = {case.stem: _outcome(case, case.language) for case in CASES}
    assert sum(o == "exact" for o in outcomes.values()) >= 10, outcomes


def test_many_languages_decodes_at_least_eight_of_eleven() -> None:
    outcomes = {case.stem: _outcome(case, "mul") for case in CASES}
    assert sum(o == "exact" for o in outcomes.values()) >= 8, outcomes


@pytest.mark.parametrize("language", ["ru", "ko", "ja", "zh", "zh-TW", "fr", "en", "pl", "el"])
def test_a_wrong_language_declared_is_never_garbled(language: str) -> None:
    # A source's language says what its articles mostly are, not what each one is: an
    # article in another language is decoded by the detector, or rejected.
    outcomes = {case.stem: _outcome(case, language) for case in ALL_CASES}
    assert set(outcomes.values()) <= {"exact", "rejected"}, outcomes


def test_declared_language_with_a_script_subtag(charsets: ModuleType) -> None:
    assert charsets.declared_codecs("zh-Hant") == ("chinese", ("big5", "gb18030"))
    assert charsets.declared_codecs("sr-Latn")[0] == "central"
    assert charsets.declared_codecs("en-GB") == ("western", ("cp1252",))
    assert charsets.declared_codecs("und") == charsets.declared_codecs(None) == (None, ())


@pytest.mark.parametrize("language", [None, "ko", "mul", "en"])
def test_utf8_with_a_bom_is_exact_whatever_the_language(language: str | None) -> None:
    assert _outcome(BOM_CASE, language) == "exact"
    assert decode_and_normalize(BOM_CASE.data).encoding == "utf-8-sig"


def test_utf8_and_bom_input_never_asks_the_detector(
    monkeypatch: pytest.MonkeyPatch, charsets: ModuleType
) -> None:
    # The fast path stays cheap: UTF-8, ASCII and BOM input are decoded without guessing.
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the detector was asked about UTF-8 or BOM input")

    monkeypatch.setattr(charsets, "_detector_ranking", refuse)
    for data in (
        RU_UTF8.encode(),
        b"plain ASCII\n\nbody\n",
        KO_UTF8_BOM.encode("utf-8-sig"),
        FR_UTF16.encode("utf-16"),
        FR_UTF16.encode("utf-16-le"),
    ):
        decode_and_normalize(data, language="mul")


@pytest.mark.parametrize(
    "text",
    [
        "Ïðåçèäåíò âñòðåòèëñÿ ñ ó÷èòåëÿìè",  # cp1251 read as cp1252
        "ðÒÅÚÉÄÅÎÔ ×ÓÔÒÅÔÉÌÓÑ Ó ÕÞÉÔÅÌÑÍÉ",  # KOI8-R read as cp1252
        "в тВЕРИ ПОСЛЕ РЕМОНТА ОТКРЫЛСЯ тЕАТР, ГДЕ сЕРГЕЙ иЛЬИН",  # KOI8-R read as cp1251
        "±±¾©µØÌúÐÂÏßÂ·½ñÈÕ¿ªÍ¨",  # GB18030 read as cp1252
        "¥x¥_¥«±À°Ê¦ÑÂÂ¤½´J¥[¸Ë¹q±è",  # Big5 read as cp1252
        "Source: Donga ±â»ç º»¹® ÀÔ´Ï´Ù.",  # cp949 read as cp1252
        "Ã©tÃ© Ã  Paris",  # UTF-8 read as cp1252
        "ｱｲｳ漢字ｴｵ",  # stray half-width kana inside kanji
        "text with a private \ue000 character",
    ],
)
def test_mojibake_is_recognised(text: str, charsets: ModuleType) -> None:
    assert charsets.looks_garbled(text)


@pytest.mark.parametrize(
    "text",
    [
        FR_CP1252,
        FR_LATIN1,
        RU_CP1251,
        RU_KOI8R,
        KO_CP949,
        JA_SHIFT_JIS,
        ZH_GB18030,
        ZH_BIG5,
        "Die Änderung der Straße kostet 25 € bei 30 °C; Grüße aus Köln.",
        "A Coruña, São Paulo: ação e informação; n° 5, nº 7; ¿Qué? ¡Sí!",
        "Việt Nam: người dân được hưởng lợi",
        "Þórðarson fór í gær.",
        "中, 美에 경고… LG전자 iPhone용 앱",
        "the mRNA vaccine and the new iPhone, said McDonald",
        "ＪＲ東日本は、新しい特急列車を来年春に導入すると発表した。",
        "Ціни на мʼясо і хліб зросли, повідомив Держстат.",
        "Ο πρωθυπουργός συναντήθηκε με τους δημάρχους της Κρήτης.",
    ],
)
def test_real_text_is_not_mojibake(text: str, charsets: ModuleType) -> None:
    assert not charsets.looks_garbled(text)


# End to end: one source per language in one build, all in one `mul` source in another.


def _build(root: Path, layout: dict[str, str]) -> dict[str, str]:
    """Build raw/ with each case in the source `layout` names (by stem); return outcomes."""
    raw = root / "raw"
    tables = []
    for key in sorted(set(layout.values())):
        (raw / key).mkdir(parents=True)
        language = key.removeprefix("lang_")
        tables.append(
            f'[sources.{key}]\nname = "Wire {language}"\nlanguage = "{language}"\n'
            'profile = "plaintext_v1"\nlicence = "test fixture"\n'
        )
    (raw / "sources.toml").write_text("\n".join(tables), encoding="utf-8")
    for case in ALL_CASES:
        (raw / layout[case.stem] / f"{case.stem}.txt").write_bytes(case.data)
    out = root / "out"
    newscorpus.build(raw, out, workers=1)
    assert newscorpus.validate(out).ok
    ledger = [json.loads(line) for line in (out / "inputs.jsonl").read_text().splitlines()]
    dataset = newscorpus.load(out)
    records = {row["source_file"]: row for split in dataset for row in dataset[split]}
    outcomes: dict[str, str] = {}
    for entry in ledger:
        stem = entry["source_file"].rsplit("/", 1)[-1].removesuffix(".txt")
        case = next(case for case in ALL_CASES if case.stem == stem)
        if entry["outcome"] == "rejected":
            reason = entry["reason"]
            outcomes[stem] = "rejected" if reason == "undetermined_encoding" else reason
            continue
        assert entry["outcome"] == "record", entry
        record = records[entry["source_file"]]
        assert record["language"] == layout[stem].removeprefix("lang_")
        published = f"{record['headline']}\n\n{record['body']}"
        if published != case.expected.strip():
            outcomes[stem] = f"garbled as {record['encoding']}: {published[:30]!r}"
            continue
        assert codecs.lookup(record["encoding"]).name == record["encoding"]
        outcomes[stem] = "exact"
    assert set(outcomes) == {case.stem for case in ALL_CASES}
    return outcomes


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    declared = {case.stem: f"lang_{case.language}" for case in ALL_CASES}
    many = {case.stem: "lang_mul" for case in ALL_CASES}
    return {
        "declared": _build(tmp_path_factory.mktemp("declared"), declared),
        "mul": _build(tmp_path_factory.mktemp("mul"), many),
    }


@pytest.mark.parametrize("layout", ["declared", "mul"])
def test_build_publishes_nothing_garbled(built: dict[str, dict[str, str]], layout: str) -> None:
    # Each article is published as its own text or rejected `undetermined_encoding`.
    others = {stem: o for stem, o in built[layout].items() if o not in ("exact", "rejected")}
    assert others == {}


def test_build_with_declared_languages_is_exact(built: dict[str, dict[str, str]]) -> None:
    outcomes = built["declared"]
    assert outcomes[BOM_CASE.stem] == "exact"
    assert sum(outcomes[case.stem] == "exact" for case in CASES) >= 10, outcomes


def test_build_with_many_languages_is_mostly_exact(built: dict[str, dict[str, str]]) -> None:
    outcomes = built["mul"]
    assert outcomes[BOM_CASE.stem] == "exact"
    assert sum(outcomes[case.stem] == "exact" for case in CASES) >= 8, outcomes


def test_latin_code_pages_that_disagree_are_not_left_to_the_detector() -> None:
    # Found after the first version: Spanish in cp1252 under `mul` was published as
    # cp1250 ("espańol"), the detector hearing Hungarian in a short text. Two Latin code
    # pages that read the bytes differently, and no declared language: rejected.
    text = "El gobierno\n\n«Estamos listos», dijo el ministro español en la reunión del año."
    for language in ("mul", None):
        with pytest.raises(RejectError) as caught:
            decode_and_normalize(text.encode("cp1252"), language=language)
        assert caught.value.reason == "undetermined_encoding"
