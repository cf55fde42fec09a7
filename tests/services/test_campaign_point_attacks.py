"""campaign_point (migration 0032) from a helper's attack: concurrency through the app's paths, paths that change
its inputs, tiles, the migration. Each test holds campaign_point to its definition once the campaigns are added
up (tests/services/test_campaign_points.py DEFINED). The attack found that triggers keeping the table (its first
design) wrote values read before a concurrent change committed, and deadlocked a registry import with a
screening: the table is now written with the village numbers, from the same notes of changed villages."""
import threading
import time

from sqlalchemy import text

from tests.services.test_campaign_points import DEFINED, KEPT, _import, _points
from tests.support.campaigns import create_test_campaign, numbered_screening
from tests.support.registry import SCREENING, cover_test_villages, load_registry

V1, V2 = "420102001001", "420102001002"      # 一元村, 二元村 (both in township 420102001000)


def _setup(app, project, publish, *, located=True):
    load_registry(app, project)
    cover_test_villages(app, project)
    publish(SCREENING)
    create_test_campaign(app, project)
    if located:
        _import(app, project, f"H001,{V1},王五,114.30,30.59\nH002,{V2},李四,114.31,30.60\n")


def _scalar(app, sql, **params):
    from app.extensions import db
    with app.app_context():
        value = db.session.execute(text(sql), params).scalar()
        db.session.remove()
        return value


def _ids(app):
    from app.extensions import db
    with app.app_context():
        out = dict(db.session.execute(text("SELECT household_code, id FROM household")).all())
        db.session.remove()
        return out


def _engine(app):
    from app.extensions import db
    with app.app_context():
        return db.engine


def _diff(app):
    defined, kept = _points(app)
    return [r for r in defined if r not in kept], [r for r in kept if r not in defined]


def _in_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as error:    # noqa: BLE001
            box["error"] = error
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


# ---------------------------------------------------------------------------------------------------------
# 2. The same races through the application's own paths (ingest over HTTP, registry import, campaign create).
# ---------------------------------------------------------------------------------------------------------

def _pause(monkeypatch, module, name):
    """Replaces module.name by a wrapper that calls it, then waits (so its transaction stays open)."""
    reached, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def paused(*args, **kwargs):
        result = original(*args, **kwargs)
        reached.set()
        release.wait(30)
        return result
    monkeypatch.setattr(module, name, paused)
    return reached, release


def _pause_before(monkeypatch, module, name):
    reached, release = threading.Event(), threading.Event()
    original = getattr(module, name)

    def paused(*args, **kwargs):
        reached.set()
        release.wait(30)
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, paused)
    return reached, release


def _settle_standing(device):
    """A screening of H001 in October, outside the campaign: the registry takes its 脱贫/监测 standing, so the
    next screening (same answers) changes no registry row and so takes no lock on the household."""
    assert device.post_submission(numbered_screening(8, wage="3000", day="2026-10-05"), {}).status_code == 201


def test_app_first_screening_while_an_import_moves_the_household_point(app, project, publish, device,
                                                                        monkeypatch):
    """A device's first screening of H001 is stored and its transaction is still open when a registry import
    moves H001's point: once both commit, H001 is drawn screened at its screening's point (triggers wrote
    'unscreened, at the registry point' over it)."""
    _setup(app, project, publish)
    _settle_standing(device)
    from app.services.submissions import ingest
    reached, release = _pause(monkeypatch, ingest, "store_assessment")
    post, posted = _in_thread(lambda: device.post_submission(
        numbered_screening(1, wage="3000", day="2026-11-10"), {}).status_code)
    assert reached.wait(20)
    moving, moved = _in_thread(lambda: _import(app, project, f"H001,{V1},王五,114.40,30.70\n"))
    time.sleep(1.0)
    release.set()
    post.join(30)
    moving.join(30)
    assert posted.get("value") == 201, posted
    assert "error" not in moved, moved
    missing, extra = _diff(app)
    assert (missing, extra) == ([], [])


def test_app_first_screening_while_an_import_moves_the_household_to_another_village(
        app, project, publish, device, monkeypatch, live_server):
    """A registry import moves H001 to 二元村 and has not committed when a device's first screening of H001
    (named 一元村, as the registry said) is stored: a viewer of 一元村 alone is never drawn a household
    registered in 二元村 (triggers kept 一元村 on its point)."""
    _setup(app, project, publish)
    _settle_standing(device)
    from app.services.registry import imports
    reached, release = _pause_before(monkeypatch, imports, "forget_coverage")
    moving, moved = _in_thread(lambda: _import(app, project, f"H001,{V2},王五,114.30,30.59\n"))
    assert reached.wait(20)
    post, posted = _in_thread(lambda: device.post_submission(
        numbered_screening(1, wage="3000", day="2026-11-10"), {}).status_code)
    time.sleep(1.5)
    release.set()
    moving.join(30)
    post.join(30)
    assert "error" not in moved, moved
    assert posted.get("value") == 201, posted
    h001 = _ids(app)["H001"]
    # What a viewer of 一元村 alone is drawn at the screening's point.
    import requests

    from tests.api.test_tiles import _decode, tile_of
    from tests.support.people import bearer
    village_1 = bearer(app, live_server, project, "viewer", [V1])
    z, x, y = tile_of(114.3055, 30.5928, 15)
    answer = requests.get(f"{live_server}/v1/projects/{project}/tiles/households/{z}/{x}/{y}.mvt", timeout=30,
                          headers=village_1, params={"campaign": "2026年集中排查"})
    drawn = [] if answer.content == b"" else [f["id"] for f in _decode(answer).get("households", {})
                                                .get("features", [])]
    registered = _scalar(app, "SELECT admin_code FROM household WHERE id = :h", h=h001)
    missing, extra = _diff(app)
    assert (registered, drawn, missing, extra) == (V2, [], [], [])


def test_app_second_screening_while_an_import_moves_the_household_to_another_village(
        app, project, publish, device, monkeypatch):
    """H001 was screened in the campaign. A registry import moving it to 二元村 has written the household
    when a device's second screening updates H001's campaign row; the import then moves campaign rows to
    their villages (MOVE_HOUSEHOLDS). Both succeed (with triggers, the two deadlocked over H001's point)."""
    _setup(app, project, publish)
    assert device.post_submission(numbered_screening(1, wage="3000", day="2026-11-10"), {}).status_code == 201
    from app.services.registry import imports
    reached, release = _pause_before(monkeypatch, imports, "forget_coverage")
    moving, moved = _in_thread(lambda: _import(app, project, f"H001,{V2},王五,114.30,30.59\n"))
    assert reached.wait(20)
    post, posted = _in_thread(lambda: device.post_submission(
        numbered_screening(2, wage="90000", day="2026-11-12"), {}))
    time.sleep(1.5)
    release.set()
    moving.join(30)
    post.join(30)
    answer = posted.get("value")
    outcome = (moved.get("error").__class__.__name__ if "error" in moved else "imported",
               answer.status_code if answer is not None else posted.get("error"))
    assert outcome == ("imported", 201)
    missing, extra = _diff(app)
    assert (missing, extra) == ([], [])


def test_app_campaign_created_while_households_are_imported(app, project, publish, device, monkeypatch):
    """create_campaign has inserted the campaign and not committed when a registry import registers H005 with a
    point and commits: H005 has its point in the new campaign (triggers missed it)."""
    _setup(app, project, publish)
    from datetime import date

    from app.services.coverage import campaigns
    reached, release = _pause(monkeypatch, campaigns, "rebuild_campaign")

    def create():
        with app.app_context():
            campaigns.create_campaign(project, "十二月", date(2026, 12, 1), date(2026, 12, 31), ["fpf_hh_screening"])
    making, made = _in_thread(create)
    assert reached.wait(20)
    _import(app, project, f"H005,{V1},周五,114.302,30.592\n")
    release.set()
    making.join(30)
    assert "error" not in made, made
    missing, extra = _diff(app)
    assert (missing, extra) == ([], [])


# ---------------------------------------------------------------------------------------------------------
# 3. Migration 0032 on a database with data at 0031; downgrade and upgrade again.
# ---------------------------------------------------------------------------------------------------------

def test_migration_0032_fills_the_table_as_defined_and_survives_downgrade_upgrade(app, database_url, tmp_path):
    import psycopg
    from flask_migrate import downgrade, upgrade
    from sqlalchemy.engine import make_url

    from app import create_app
    from app.extensions import db
    url = make_url(database_url)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS dixian_mig")
        conn.execute("CREATE DATABASE dixian_mig")
    other = create_app({"SQLALCHEMY_DATABASE_URI": url.set(database="dixian_mig").render_as_string(False),
                        "BLOB_DIR": str(tmp_path / "blobs"), "SECRET_KEY": "t"})
    with other.app_context():
        upgrade(revision="0031")
        s = db.session
        s.execute(text("INSERT INTO project (id, name, created_at, archived) "
                       "VALUES (1, 'p', now(), false), (2, 'q', now(), false)"))
        s.execute(text("""INSERT INTO admin_unit (code, level, name) VALUES ('420102001001', 'village', '一元村')"""))
        s.execute(text("""INSERT INTO household (id, project_id, household_code, admin_code, head_name, members,
            location, created_at) VALUES
            (1, 1, 'H1', '420102001001', 'a', '[]', ST_SetSRID(ST_MakePoint(114.30, 30.59), 4326), now()),
            (2, 1, 'H2', '420102001001', 'b', '[]', NULL, now()),
            (3, 1, 'H3', '420102001001', 'c', '[]', NULL, now()),
            (4, 2, 'H4', '420102001001', 'd', '[]', ST_SetSRID(ST_MakePoint(114.31, 30.59), 4326), now())"""))
        s.execute(text("""INSERT INTO campaign (id, project_id, name, starts_on, ends_on, form_ids)
            VALUES (1, 1, 'c', '2026-11-01', '2026-11-30', ARRAY['fpf_hh_screening']),
                   (2, 2, 'd', '2026-11-01', '2026-11-30', ARRAY['fpf_hh_screening'])"""))
        s.execute(text("""INSERT INTO campaign_household (campaign_id, household_id, village, screening_version_id,
            screening_on, screening_location, screening_flags, flag_codes) VALUES
            (1, 1, '420102001001', 11, '2026-11-10', ST_SetSRID(ST_MakePoint(114.35, 30.65), 4326), '{}',
             ARRAY['income_below_line']),
            (1, 2, '420102001001', 12, '2026-11-10', ST_SetSRID(ST_MakePoint(114.36, 30.66), 4326), '{}', '{}'),
            (1, 3, '420102001001', NULL, NULL, NULL, '{}', ARRAY['housing_unsafe']),
            (2, 1, '420102001001', 13, '2026-11-10', ST_SetSRID(ST_MakePoint(114.37, 30.67), 4326), '{}', '{}')
            """))
        s.commit()
        upgrade()
        first = ([tuple(r) for r in s.execute(DEFINED)], [tuple(r) for r in s.execute(KEPT)])
        s.commit()
        downgrade(revision="0031")
        upgrade()
        second = ([tuple(r) for r in s.execute(DEFINED)], [tuple(r) for r in s.execute(KEPT)])
        s.remove()
        db.engine.dispose()
    assert first[0] == first[1] and len(first[0]) == 3
    assert second[0] == second[1] == first[0]


# ---------------------------------------------------------------------------------------------------------
# 4. Sequential paths: a new household from a screening, an edit moving a screening to another household,
#    a registry import giving a point to a household that had none, a recompute.
# ---------------------------------------------------------------------------------------------------------

def test_paths_new_household_edit_to_other_household_and_late_location(app, project, publish, device, editor):
    from tests.support.households import screening_xml
    _setup(app, project, publish, located=False)
    steps = []
    new = screening_xml("uuid:cccccccc-0000-4000-8000-00000000abcd", household="new", inc_wage="3000",
                        survey_date="2026-11-10", gps="30.60 114.33 10 4")
    assert device.post_submission(new, {}).status_code == 201
    steps.append(("new household", _diff(app)))
    # A screening of H001, then an edit of it that names H002 (二元村) instead.
    first = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000011", inc_wage="3000", survey_date="2026-11-11",
                          gps="30.61 114.34 10 4")
    assert device.post_submission(first, {}).status_code == 201
    steps.append(("screening H001", _diff(app)))
    moved = screening_xml("uuid:aaaaaaaa-0000-4000-8000-000000000012", household="H002", village=V2,
                          inc_wage="3000", survey_date="2026-11-11", gps="30.62 114.35 10 4").replace(
        b"</instanceName>", b"</instanceName><deprecatedID>uuid:aaaaaaaa-0000-4000-8000-000000000011</deprecatedID>")
    assert editor.post_submission(moved, {}).status_code == 201
    steps.append(("edit to H002", _diff(app)))
    # The registry gives H001 a point only now.
    _import(app, project, f"H001,{V1},王五,114.30,30.59\n")
    steps.append(("late location", _diff(app)))
    from app.services.monitoring.recompute import recompute_flags
    with app.app_context():
        recompute_flags(project)
    steps.append(("recompute", _diff(app)))
    assert [(name, d) for name, d in steps if d != ([], [])] == []
    kept = _points(app)[1]
    assert len(kept) == 3 and sum(1 for r in kept if r[3]) == 2


def test_tile_state_matches_village_household_list_and_carries_no_names(app, project, publish, device, live_server):
    """Every household drawn in the tile: its state equals the one the village household list gives."""
    import requests

    from tests.api.test_tiles import _decode, tile_of
    from tests.support.people import bearer
    _setup(app, project, publish)
    assert device.post_submission(numbered_screening(1, wage="3000", day="2026-11-10"), {}).status_code == 201
    h = _ids(app)
    viewer = bearer(app, live_server, project, "viewer", ["420102001000"])
    z, x, y = tile_of(114.30, 30.59, 12)
    answer = requests.get(f"{live_server}/v1/projects/{project}/tiles/households/{z}/{x}/{y}.mvt", timeout=30,
                          headers=viewer, params={"campaign": "2026年集中排查"})
    features = _decode(answer)["households"]["features"]
    drawn = {f["id"]: f["properties"] for f in features}
    assert set(drawn) >= {h["H001"], h["H002"]}
    assert all(set(p) <= {"state", "severity"} for p in drawn.values()), drawn
    from app.core.rules.flags import ALL_RISK_CODES
    from app.extensions import db
    from app.queries.coverage import HOUSEHOLD_STATE
    with app.app_context():
        states = dict(db.session.execute(text(f"""SELECT h.id, {HOUSEHOLD_STATE} FROM household h
            JOIN campaign c ON c.project_id = h.project_id
            LEFT JOIN campaign_household ch ON ch.campaign_id = c.id AND ch.household_id = h.id"""),
            {"risk": list(ALL_RISK_CODES)}).all())
        db.session.remove()
    assert {i: p["state"] for i, p in drawn.items()} == {i: states[i] for i in drawn}
