"""A submission's answers are shown in the form's order (stored as JSONB, their keys come shortest first)."""
from app.core.answer_view import Answer, RepeatTable, answer_items
from app.core.xform_labels import form_labels
from app.services.forms.compile import compile_form

FORM = """
| survey |
| | type | name | label |
| | text | village_code | 村代码 |
| | text | head_name | 户主姓名 |
| | text | head_idno | 户主身份证号 |
| | begin_group | address_g | 地址 |
| | text | township | 乡镇 |
| | text | hamlet | 组 |
| | end_group |
| | begin_repeat | member | 家庭成员 |
| | text | member_name | 姓名 |
| | text | sex | 性别 |
| | end_repeat |
| | text | z | 备注 |

| settings |
| | form_title | form_id | version |
| | 顺序 | order_test | 1 |
"""


def test_answers_and_repeat_columns_follow_the_form():
    xml = compile_form("order_test.md", FORM.encode(), validate=False).xml
    # As PostgreSQL gives a jsonb back: shorter keys first.
    answers = {"z": "无", "member": [{"sex": "女", "member_name": "王芳"}],
               "address_g": {"hamlet": "三组", "township": "芳乡"}, "head_name": "王五",
               "head_idno": "420102197405060021", "village_code": "420102001001"}
    items = answer_items(answers, form_labels(xml), show_personal=True)
    assert [item.label for item in items] == ["村代码", "户主姓名", "户主身份证号", "乡镇", "组", "家庭成员", "备注"]
    table = next(item for item in items if isinstance(item, RepeatTable))
    assert table.columns == ["姓名", "性别"] and table.rows == [["王芳", "女"]]
    assert all(isinstance(item, (Answer, RepeatTable)) for item in items)
