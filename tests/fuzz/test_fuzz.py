"""A few thousand generated bad requests against the live server: no 5xx, nothing half-stored.

The same generator drives tests/fuzz/test_fuzz_through_front_door.py (nginx and gunicorn, as
deployed) and scripts/fuzz.py, which sends 100,000 and more and reports counts by status. Here the
count is bounded by FUZZ_SECONDS, so the suite stays quick; FUZZ_REQUESTS / FUZZ_SEED go further or
replay a failure.
"""
from urllib.parse import urlsplit

from tests.support.fuzz_site import (
    FUZZ_REQUESTS,
    FUZZ_SECONDS,
    FUZZ_SEED,
    assert_no_5xx_and_nothing_half_stored,
    fuzz_target,
)
from tests.support.fuzzing import run


def test_generated_bad_requests_get_no_5xx_and_leave_nothing_half_stored(app, project, admin, publish, device,
                                                                          live_server, tmp_path):
    address = urlsplit(live_server)
    target = fuzz_target(app, project, admin, publish, device, live_server, tmp_path,
                         address.hostname, address.port)
    assert_no_5xx_and_nothing_half_stored(app, run(target, FUZZ_REQUESTS, seed=FUZZ_SEED, deadline_s=FUZZ_SECONDS))
