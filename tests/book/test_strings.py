"""The site's interface strings: one table per language, the same keys, each in its language."""

from __future__ import annotations

import re

from book.strings import STRINGS, strings

# Chinese characters, or the full-width punctuation Chinese text uses (a list separator "；").
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")


def test_both_languages_have_the_same_strings():
    assert set(STRINGS) == {"zh", "en"}
    assert sorted(STRINGS["zh"]) == sorted(STRINGS["en"])


def test_each_table_is_in_its_language():
    not_chinese = [key for key, text in STRINGS["zh"].items() if not CJK.search(text)]
    chinese_in_english = [key for key, text in STRINGS["en"].items() if CJK.search(text)]
    assert not_chinese == [] and chinese_in_english == []


def test_language_codes_choose_the_table():
    assert strings("zh-Hans") is STRINGS["zh"] and strings("zh") is STRINGS["zh"]
    assert strings("en") is STRINGS["en"] and strings("fr") is STRINGS["en"]
