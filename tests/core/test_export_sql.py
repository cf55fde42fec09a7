"""The SQL that writes exports (migration 0021's functions) masks and writes answers exactly as the
Python of the pages does (core.personal_fields), so a CSV and a page never disagree."""
import pytest
from sqlalchemy import Text, text

from app.core.personal_fields import mask_idno, mask_phone

VALUES = ["", "1", "12", "123", "12345", "123456", "1234567", "12345678", "13800138000", "42010219740506002X",
          "420102197405060", "４２０１", "张三丰的电话"]


@pytest.mark.parametrize("value", VALUES)
def test_sql_masks_as_python_does(ctx, value):
    from app.extensions import db
    idno, phone = db.session.execute(text("SELECT dixian_mask_idno(:v), dixian_mask_phone(:v)"), {"v": value}).one()
    assert (idno, phone) == (mask_idno(value), mask_phone(value))


def test_answers_are_written_as_stored(ctx):
    from app.extensions import db
    cases = {'"王五"': "王五", "12000.5": "12000.5", "300.0": "300.0", "7": "7", "true": "true",
             '["far_source", "seasonal"]': "far_source seasonal", "null": None, '[]': None}
    for stored, written in cases.items():
        written_by_sql = db.session.execute(text("SELECT dixian_answer_text(CAST(:j AS jsonb))"), {"j": stored})
        assert written_by_sql.scalar() == written, stored


def test_export_cells_are_written_as_the_function_writes_them(ctx):
    """queries.exports writes a cell inline (no function call per cell, for speed): it must agree with
    dixian_answer_text for every shape a stored answer takes."""
    from sqlalchemy import literal_column, select

    from app.extensions import db
    from app.queries.exports import answer_text
    cases = ['"王五"', "12000.5", "300.0", "7", "true", '["far_source", "seasonal"]', '["one"]', "null", "[]",
             '"a b"']
    for stored in cases:
        source = literal_column(f"CAST('{{\"g\": {{\"f\": {stored}}}}}' AS jsonb)")
        expected = db.session.execute(text(f"SELECT dixian_answer_text(CAST('{stored}' AS jsonb))")).scalar()
        field_type = "select_multiple" if stored.startswith("[") else "string"
        assert db.session.scalar(select(answer_text(source, ["g", "f"], field_type))) == expected, stored
        # a select_multiple field whose older version stored one choice as text
        assert db.session.scalar(select(answer_text(source, ["g", "f"], "select_multiple"))) == expected, stored


def test_numbers_in_text_are_masked_in_sql_as_python_masks_them(ctx):
    """The exports' masked_in_text and core.personal_fields.mask_in_text, on the cases of
    tests/core/test_personal_fields.py and more: the same text out of both."""
    from sqlalchemy import bindparam, select

    from app.core.personal_fields import mask_in_text
    from app.extensions import db
    from app.queries.exports import masked_in_text
    from tests.core.test_personal_fields import WIDE
    texts = ["户主身份证号429901197212156394,电话13800138000,家人住院", "身份证 4299 0119 7212 1563 9x",
             "42990119721215639X".translate(WIDE), "老身份证420102740506002", "电话 138-0013-8000。",
             "13800138000".translate(WIDE) + "找我", "8613800138000", "+86 138 0013 8000", "＋86 13800138000",
             "0086 138 0013 8000", "座机027-87654321,0710-1234567", "银行卡6222021234567890123", "13800138000 2人",
             "13800138000 429901197212156394", "两个:13800138000和13900139000,完", "2026-11-20 住院, 花了30000元",
             "20261120", "1,234,567元", "138001380001", "12345678901", "第2组", "没有数字", "", None,
             "13800138000", "x13800138000y", "１３８　００１３　８０００", "0271234567 8", "4299011972121563945",
             "a 429901197212156394 b 429901197212156394 c"]
    value = bindparam("v", type_=Text)
    statement = select(masked_in_text(value))
    for typed in texts:
        assert db.session.scalar(statement, {"v": typed}) == mask_in_text(typed), typed
