"""Pages for people. For now the landing page; the supervisors' console comes here."""
from flask import current_app, jsonify, render_template_string

from ..http.permissions import public
from . import bp

_HOME = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>底线 Dixian</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>底线 · 防止返贫动态监测数据服务</h1>
<p>本服务器通过 OpenRosa 协议向 ODK Collect 提供调查表单并接收数据。请用管理员提供的二维码配置 ODK Collect。</p>
<p lang="en">Dixian serves survey forms to ODK Collect over OpenRosa and takes in submissions.
Configure ODK Collect by scanning the QR code your administrator gives you.</p>
<p>OpenRosa: <code>{{ public_url }}/v1/key/&lt;token&gt;/projects/&lt;id&gt;</code></p>
</body></html>"""


@bp.get("/")
@public("the landing page, which shows no data")
def home():
    return render_template_string(_HOME, public_url=current_app.config["PUBLIC_URL"])


@bp.get("/healthz")
@public("a liveness check for the front door and monitoring; it shows no data")
def health():
    return jsonify({"ok": True})
