"""The village posters of public links: one A4 page per link, to print and put on the notice board.

Each page: the village's name, a QR code of the link's URL (segno, error correction M, 6 cm wide: short
URLs make a version 3 code, whose modules stay about 1 mm even printed at 3 cm), the URL written out
for typing, the hotline and a one-line privacy notice. Chinese text in Noto Sans CJK (Debian's
fonts-noto-cjk, installed by scripts/setup.sh); the PDF by fpdf2, which embeds only the glyphs used.
"""
import io
from pathlib import Path

import segno
from fpdf import FPDF

from ...problems import not_found
from .links import IssuedLink

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_SIMPLIFIED_CHINESE = 2       # the collection's faces: JP, KR, SC, TC, HK; SC is the third
QR_MM = 60
PRIVACY = "您填写的信息仅用于防止返贫动态监测,依法保密,不会公开。"


def posters_pdf(links: list[IssuedLink], *, hotline: str = "") -> bytes:
    """A PDF with one A4 page per link, in the order given. Raises Problem 404.1 without any link, and
    500 if the CJK font is missing (scripts/setup.sh installs it)."""
    if not links:
        raise not_found("There are no live links to print.")
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=str(FONT), collection_font_number=FONT_SIMPLIFIED_CHINESE)
    pdf.set_title("防止返贫 农户自主申报")
    for link in links:
        pdf.add_page()
        pdf.set_font("cjk", size=34)
        pdf.set_y(28)
        pdf.cell(0, 16, link.village_name, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=20)
        pdf.cell(0, 12, "防止返贫 · 农户自主申报", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=13)
        pdf.ln(2)
        pdf.multi_cell(0, 8, "家里遇到困难(收入下降、看病、上学、住房或饮水等),请用微信或手机相机扫码申报。",
                       align="C")
        pdf.image(_qr_png(link.url), x=(pdf.w - QR_MM) / 2, y=95, w=QR_MM, h=QR_MM)
        pdf.set_y(95 + QR_MM + 6)
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 8, "或在浏览器中输入:", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=15)
        pdf.cell(0, 9, link.url, align="C", new_x="LMARGIN", new_y="NEXT")
        if hotline:
            pdf.ln(6)
            pdf.set_font("cjk", size=16)
            pdf.cell(0, 10, f"咨询电话:{hotline}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)
        pdf.set_y(pdf.h - 30)
        pdf.multi_cell(0, 6, PRIVACY, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, link.village, align="C")
    return bytes(pdf.output())


def _qr_png(url: str) -> io.BytesIO:
    png = io.BytesIO()
    segno.make(url, error="m", micro=False).save(png, kind="png", scale=10, border=4)
    png.seek(0)
    return png
