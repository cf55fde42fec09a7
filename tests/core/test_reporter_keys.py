"""ID numbers and phones written the same way however typed, for joining reports of one household."""
from app.core.reporter_keys import idno_key, phone_key


def test_id_numbers():
    assert idno_key(" 420102 19740506 002x ") == "42010219740506002X"
    assert idno_key("420102-19740506-002X") == "42010219740506002X"
    assert idno_key("420102740506002") == "420102740506002"                   # the old 15 digits
    for bad in (None, "", "12345", "4201021974050600XX", "四二〇一"):
        assert idno_key(bad) is None


def test_phones():
    for typed in ("138 0013 8000", "+86 138-0013-8000", "0086 13800138000", "8613800138000", "13800138000"):
        assert phone_key(typed) == "13800138000", typed
    assert phone_key("0710-1234567") == "07101234567"
    assert phone_key("12345") is None and phone_key(None) is None and phone_key("x" * 40) is None


def test_what_a_chinese_ime_types_is_the_same_key():
    full_width = str.maketrans("0123456789Xx-+ ", "０１２３４５６７８９Ｘｘ－＋\u3000")
    assert phone_key("+86 138-0013-8000".translate(full_width)) == "13800138000"
    assert idno_key("420102 19740506 002x".translate(full_width)) == "42010219740506002X"
    assert idno_key("420102-19740506-002X".translate(full_width)) == "42010219740506002X"


def test_other_scripts_digits_are_no_key():
    """Arabic-Indic or Devanagari digits are digits to Python's \\d and int(), but no one's phone."""
    assert phone_key("١٣٨٠٠١٣٨٠٠٠") is None and phone_key("१३८००१३८०००") is None
    assert idno_key("٤٢٠١٠٢١٩٧٤٠٥٠٦٠٠٢٣") is None
