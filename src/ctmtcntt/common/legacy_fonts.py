"""Tables for the legacy Vietnamese 8-bit encodings and for telling Vietnamese syllables apart.

Excel keeps text typed in a legacy font as if each legacy byte were the Latin-1 character with the
same number, so every legacy code below is written as that Latin-1 character (or its byte in hex).
Sources: the TCVN 5712:1993 VN3 repertoire used by ABC and the .VnTime fonts, and the VNI Windows
table used by VNI-Times (checked against the public xvnkb keyboard's table and open converters).
"""

from __future__ import annotations

import re

# TCVN3 (ABC): one byte per letter. Only seven capitals have their own code; other capitals were
# typed with the lower-case codes in an all-capitals font (.VnTimeH), so they cannot be told apart.
_TCVN3 = (
    ("àáảãạ", "b5 b8 b6 b7 b9"),
    ("ăằắẳẵặ", "a8 bb be bc bd c6"),
    ("âầấẩẫậ", "a9 c7 ca c8 c9 cb"),
    ("đ", "ae"),
    ("èéẻẽẹ", "cc d0 ce cf d1"),
    ("êềếểễệ", "aa d2 d5 d3 d4 d6"),
    ("ìíỉĩị", "d7 dd d8 dc de"),
    ("òóỏõọ", "df e3 e1 e2 e4"),
    ("ôồốổỗộ", "ab e5 e8 e6 e7 e9"),
    ("ơờớởỡợ", "ac ea ed eb ec ee"),
    ("ùúủũụ", "ef f3 f1 f2 f4"),
    ("ưừứửữự", "ad f5 f8 f6 f7 f9"),  # ư is the soft hyphen byte
    ("ỳýỷỹỵ", "fa fd fb fc fe"),
    ("ĂÂĐÊÔƠƯ", "a1 a2 a7 a3 a4 a5 a6"),
)
TCVN3_LETTERS = "".join(letters for letters, _ in _TCVN3)
TCVN3_CODES = bytes.fromhex(" ".join(codes for _, codes in _TCVN3)).decode("latin-1")

# VNI Windows: a base letter followed by one mark byte; ơ, ư, đ and the toned i's have their own
# byte. Listed in lower case; capitals are the same strings upper-cased (ù -> Ù, ñ -> Ñ, ...).
_VNI = (
    ("áàảãạ", "aù aø aû aõ aï"),
    ("âấầẩẫậ", "aâ aá aà aå aã aä"),
    ("ăắằẳẵặ", "aê aé aè aú aü aë"),
    ("éèẻẽẹ", "eù eø eû eõ eï"),
    ("êếềểễệ", "eâ eá eà eå eã eä"),
    ("óòỏõọ", "où oø oû oõ oï"),
    ("ôốồổỗộ", "oâ oá oà oå oã oä"),
    ("ơớờởỡợ", "ô ôù ôø ôû ôõ ôï"),
    ("úùủũụ", "uù uø uû uõ uï"),
    ("ưứừửữự", "ö öù öø öû öõ öï"),
    ("íìỉĩị", "í ì æ ó ò"),
    ("ýỳỷỹỵ", "yù yø yû yõ î"),
    ("đ", "ñ"),
)
VNI_LETTERS = "".join(letters for letters, _ in _VNI)
VNI_CODES = tuple(code for _, codes in _VNI for code in codes.split())

_TCVN3_PAIRS = tuple(zip(TCVN3_CODES, TCVN3_LETTERS, strict=True))
_VNI_PAIRS = tuple(zip(VNI_CODES, VNI_LETTERS, strict=True))

# str.translate tables (code point -> text) and, for VNI, a sequence -> letter mapping.
TCVN3_DECODE = {ord(code): letter for code, letter in _TCVN3_PAIRS}
TCVN3_CAPITAL_CODES = frozenset(code for code, letter in _TCVN3_PAIRS if letter.isupper())
TCVN3_ENCODE = {ord(letter): code for code, letter in _TCVN3_PAIRS}
# Capitals without a code of their own were typed with the lower-case code in a capitals font.
TCVN3_ENCODE |= {
    ord(letter.upper()): code
    for code, letter in _TCVN3_PAIRS
    if ord(letter.upper()) not in TCVN3_ENCODE
}
VNI_ENCODE = {ord(letter): code for code, letter in _VNI_PAIRS}
VNI_ENCODE |= {ord(letter.upper()): code.upper() for code, letter in _VNI_PAIRS}
VNI_DECODE = {code: letter for code, letter in _VNI_PAIRS if code != letter}
VNI_DECODE |= {code.upper(): letter.upper() for code, letter in VNI_DECODE.items()}
# A capital typed before the font's lower-case mark still means a capital letter.
VNI_DECODE |= {
    code[0].upper() + code[1:]: letter.upper()
    for code, letter in list(VNI_DECODE.items())
    if len(code) > 1
}

# Latin-1 letters that ordinary Unicode Vietnamese also uses: a legacy code that is one of these
# proves nothing on its own.
VIETNAMESE_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")

# Spelling of a Vietnamese syllable without its tone mark: onset + rhyme.
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x"
ONSETS = tuple(_ONSETS.split())
_RHYMES = """
    a ac ach ai am an ang anh ao ap at au ay
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt
    oc oe oem oen oeo oet oi om on ong ooc oong op ot
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc uê uêch uênh uêt uy uya uych uyên uyêt uynh uyp uyt uyu
    ui um un ung uơ uôc uôi uôm uôn uông uôt up ut
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêt yêu
"""
RHYMES = frozenset(_RHYMES.split())
# Rhymes closed by a stop take only the rising (sắc) or the heavy (nặng) tone.
STOP_CODAS = ("c", "ch", "p", "t")

# Tone marks as NFD combining characters: grave, acute, tilde, hook above, dot below.
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
STOP_TONES = frozenset("\u0301\u0323")
VOWELS = frozenset("aăâeêioôơuưy")
SYLLABLE = re.compile(
    "(?:" + "|".join(ONSETS) + ")?(?:" + "|".join(sorted(RHYMES, key=len, reverse=True)) + ")"
)

# Longest first, so that "ôù" (ớ) wins over "ô" (ơ).
VNI_SEQUENCE = re.compile("|".join(map(re.escape, sorted(VNI_DECODE, key=len, reverse=True))))
# A TCVN3 word: letters and codes, some of which (×, §, «, ·) are not letters in Latin-1.
TCVN3_WORD = re.compile("(?:[^\\W\\d_]|[" + re.escape(TCVN3_CODES) + "])+")

# Evidence of each encoding: characters (or pairs) that Unicode Vietnamese never contains.
_TCVN3_ONLY = "".join(sorted(set(TCVN3_CODES) - VIETNAMESE_LATIN1))
TCVN3_TYPICAL = re.compile(
    f"[{re.escape(_TCVN3_ONLY)}]"
    # Capitals inside a small-letter word: ấ, ể, ... typed as codes ("cÊp", "KÕt").
    + r"|[a-z][ÈÉÊÌÒÓÔÕÝ]|(?<=[^\W\d_])[ÈÉÊÌÒÓÔÕÝ][a-z]"
)
VNI_TYPICAL = re.compile(
    "[øûïåäëæñöîüØÛÏÅÄËÆÑÖÎÜ]|[aeoAEO][âÂ]|[aA][êéèúüëÊÉÈÚÜË]|[aeAE][áàãÁÀÃ]"
    # A vowel then its tone mark, inside a word: at the start it would be French "où".
    + r"|(?<=[^\W\d_])[aeouyôöAEOUYÔÖ][ùõÙÕ]"
)
