import pytest

from app.services.submissions.ingest import safe_attachment_name


@pytest.mark.parametrize("raw,safe", [
    ("1700000000000.jpg", "1700000000000.jpg"),
    ("../../etc/passwd", "passwd"),
    ("/abs/path/photo.jpg", "photo.jpg"),
    ("C:\\Users\\x\\photo.jpg", "photo.jpg"),
    ("..", "attachment"),
    ("", "attachment"),
    ("bad\x00\x1fname.jpg", "badname.jpg"),
    ("户主照片.jpg", "户主照片.jpg"),
])
def test_attachment_names_keep_only_a_plain_file_name(raw, safe):
    assert safe_attachment_name(raw) == safe
