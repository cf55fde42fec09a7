"""The small synthetic county shipped in demo/ for a first run (README, "First run").

Generated, never hand-written: 2 townships, 6 villages with boundaries, 60 households whose names
and ID numbers are made up under an area code no real place has (demo.people). The same
files every time, so a test can tell when demo/ no longer matches what this writes.
"""
from demo.county import build_county

SIZE = {"townships": 2, "villages": 6, "households": 60, "seed": 11}


def first_run_files() -> dict[str, bytes]:
    """File name -> content: places.csv (for `places import`) and households.csv (`households import`)."""
    county = build_county(**SIZE)
    return {"places.csv": county.places_csv(), "households.csv": county.households_csv()}
