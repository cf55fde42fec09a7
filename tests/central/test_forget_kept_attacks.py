"""forget_kept (services/submissions/odata_store.py; `odata keep --again`) beside readers and keepers, from a
helper's attack: a TRUNCATE made every read wait for the longest export under way, and a keeper part-way
through its walk went on from where it had been and never wrote again the rows forgotten behind it."""
import threading
import time
import uuid

import requests
from sqlalchemy import text

from tests.central.odata_support import keep_all
from tests.central.test_odata_kept_attacks import NESTED, _nested_instance, _svc


def _send(editor, n):
    for i in range(n):
        xml = _nested_instance(f"uuid:{uuid.uuid4()}", f"村{i}", [[("1", "13700000001")], [("2", "")]])
        assert editor.post_submission(xml, {}).status_code == 201


def test_reads_do_not_queue_behind_forget_kept_during_a_long_export(app, live_server, project, publish, editor,
                                                                     api, monkeypatch):
    """A long export (copy_out: one COPY over odata_row, up to COPY_TIMEOUT = 1 h on a slow link) holds ACCESS
    SHARE on odata_row until it ends. A TRUNCATE (ACCESS EXCLUSIVE) waited for it, and every OData read and
    export that came meanwhile queued behind the TRUNCATE. The export is stood in for by a transaction that
    has read odata_row."""
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    _send(editor, 5)
    assert keep_all(app, monkeypatch) == 5
    url = f"{_svc(live_server, project, NESTED)}/Submissions"
    assert api.get(url, timeout=10).status_code == 200
    from app.extensions import db
    from app.services.submissions import odata_store
    with app.app_context():
        export = db.engine.connect()
    export.execute(text("SELECT count(*) FROM odata_row"))          # the export's COPY under way
    errors = []

    def forget():
        try:
            with app.app_context():
                odata_store.forget_kept()
        except Exception as error:    # noqa: BLE001
            errors.append(repr(error))
    forgetter = threading.Thread(target=forget)
    forgetter.start()
    time.sleep(0.5)
    try:
        started = time.monotonic()
        try:
            answer = api.get(url, timeout=5)
            outcome = (answer.status_code, round(time.monotonic() - started, 1))
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as timed_out:
            outcome = ("client timed out after 5 s", repr(timed_out)[:120])
    finally:
        export.commit()
        export.close()
        forgetter.join(timeout=30)
    assert errors == []
    assert outcome[0] == 200, outcome


def test_forget_kept_beside_a_keeper_mid_walk_writes_everything_again(app, live_server, project, publish, editor,
                                                                      monkeypatch):
    """forget_kept promises 'everything is written again'. A keeper (the job runner's keep_due) that had written
    a batch went on from the `through` it had in memory after the forgetting, and stored written_through at
    its next batch's end: the rows of the first batch, forgotten, were never written again."""
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    _send(editor, 12)
    from app.extensions import db
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    monkeypatch.setattr(odata_store, "BATCH", 4)
    real = odata_store._keep_batch
    calls = []

    def batch_then_forget(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(result)
        if len(calls) == 1:                      # the CLI's `odata keep --again` runs now, in another process
            t = threading.Thread(target=lambda: _forget(app))
            t.start()
            t.join(timeout=30)
        return result
    monkeypatch.setattr(odata_store, "_keep_batch", batch_then_forget)
    with app.app_context():
        odata_store.keep_due(max_submissions=8)
    monkeypatch.setattr(odata_store, "_keep_batch", real)
    keep_all(app, monkeypatch)                      # both keepers go on to the end
    with app.app_context():
        missing = db.session.execute(text(
            "SELECT count(*) FROM submission s WHERE NOT EXISTS (SELECT FROM odata_row r WHERE "
            "r.submission_id = s.id AND r.version_id = s.current_version_id)")).scalar()
    assert missing == 0


def _forget(app):
    from app.services.submissions import odata_store
    with app.app_context():
        odata_store.forget_kept()


def test_forget_kept_beside_keepers_and_readers_no_errors(app, live_server, project, publish, editor, api,
                                                          monkeypatch):
    """Three keepers (one forgetting each round) and a reader of OData, hammering: no error, no deadlock,
    every read equal to the read with nothing kept."""
    from tests.conftest import REPO
    publish(REPO / "tests" / "data" / "forms" / "nested_kept.md")
    _send(editor, 20)
    url = f"{_svc(live_server, project, NESTED)}/Submissions.plot"
    from app.services.submissions import odata as service
    with monkeypatch.context() as m:
        m.setattr(service, "_kept", lambda *a, **k: None)
        live = api.get(url, timeout=30).text
    from app.services.submissions import odata_store
    monkeypatch.setattr(odata_store, "SETTLE", odata_store.timedelta(0))
    stop, errors = threading.Event(), []

    def keeper(again):
        try:
            with app.app_context():
                while not stop.is_set():
                    if again:
                        odata_store.forget_kept()
                    while odata_store.keep_due(max_submissions=3) and not stop.is_set():
                        pass
        except Exception as error:   # noqa: BLE001
            errors.append(repr(error))
    threads = [threading.Thread(target=keeper, args=(a,)) for a in (False, True, False)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 8
        reads = 0
        while time.monotonic() < deadline:
            r = api.get(url, timeout=30)
            assert r.status_code == 200, r.text
            assert r.text == live
            reads += 1
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert errors == [] and reads > 5
