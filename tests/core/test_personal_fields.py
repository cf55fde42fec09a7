"""ID numbers and phones masked for readers who may not see personal data: in their own answers by the field's
name, and in free text (a resident's story) by their shape, however they were typed."""
import pytest

from app.core.answer_view import Answer, RepeatTable, answer_items
from app.core.personal_fields import mask_in_text
from app.core.xform_labels import FormLabels

WIDE = str.maketrans("0123456789X-", "０１２３４５６７８９Ｘ－")


@pytest.mark.parametrize("typed, shown", [
    ("户主身份证号429901197212156394,电话13800138000,家人住院",
     "户主身份证号4299**********6394,电话138****8000,家人住院"),
    ("身份证 4299 0119 7212 1563 9x", "身份证 4299**********639x"),
    ("42990119721215639X".translate(WIDE), "4299**********639X"),
    ("老身份证420102740506002", "老身份证4201*******6002"),
    ("电话 138-0013-8000。", "电话 138****8000。"),
    ("13800138000".translate(WIDE) + "找我", "138****8000找我"),
    ("8613800138000", "861******8000"),
    ("+86 138 0013 8000", "+86*******8000"),
    ("座机027-87654321,0710-1234567", "座机027****4321,071****4567"),
    ("银行卡6222021234567890123", "银行卡6222***********0123"),
    ("13800138000 2人", "138****8000 2人"),
])
def test_numbers_in_free_text_are_masked(typed, shown):
    assert mask_in_text(typed) == shown


@pytest.mark.parametrize("kept", [
    "2026-11-20 住院, 花了30000元", "20261120", "1,234,567元", "家里4口人, 3亩地", "138001380001", "12345678901",
    "第2组", "", None,
])
def test_dates_amounts_and_other_numbers_are_kept(kept):
    assert mask_in_text(kept) == kept


def test_a_viewer_reads_no_number_anywhere_in_the_answers():
    labels = FormLabels({"/data/story": "情况说明", "/data/phone": "电话", "/data/m": "成员", "/data/m/note": "备注"})
    answers = {"story": "我的身份证号是429901197212156394", "phone": "13800138000",
               "m": [{"note": "电话13900139000"}]}
    story, phone, table = answer_items(answers, labels, show_personal=False)
    assert story == Answer("/data/story", "情况说明", "我的身份证号是4299**********6394")
    assert phone.value == "138****8000"
    assert isinstance(table, RepeatTable) and table.rows == [["电话139****9000"]]
    shown = answer_items(answers, labels, show_personal=True)
    assert shown[0].value == answers["story"] and shown[2].rows == [["电话13900139000"]]
