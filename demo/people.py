"""Generated Chinese names and ID numbers."""
import random
from datetime import date, timedelta

from app.core import idcard

AREA = "429901"     # no real county has this code: IDs built on it belong to no one
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国红梅志文玉兰海燕金凤春生德福永"


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def id_number(rng: random.Random, born: date, female: bool) -> str:
    # The 17th digit is odd for men and even for women.
    sequence = rng.randrange(0, 500) * 2 + (0 if female else 1)
    return idcard.make(AREA, born, sequence)


def birth_date(rng: random.Random, age: int, on: date) -> date:
    return on - timedelta(days=age * 365 + rng.randrange(0, 365))
