"""The suite's fuzz run again, as deployed: nginx in front of gunicorn (gthread), on the test database."""
from tests.support.fuzz_site import (
    FUZZ_REQUESTS,
    FUZZ_SECONDS,
    FUZZ_SEED,
    assert_no_5xx_and_nothing_half_stored,
    fuzz_target,
)
from tests.support.fuzzing import run


def test_generated_bad_requests_through_the_front_door(app, project, admin, publish, device, live_server,
                                                        start_front_door, tmp_path):
    door = start_front_door()
    target = fuzz_target(app, project, admin, publish, device, live_server, tmp_path, "127.0.0.1", door.port)
    report = run(target, FUZZ_REQUESTS // 2, seed=FUZZ_SEED + 1, deadline_s=FUZZ_SECONDS / 2)
    assert_no_5xx_and_nothing_half_stored(app, report)
