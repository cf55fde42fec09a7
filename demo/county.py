"""A synthetic county: townships and villages with Voronoi boundaries, and a household registry."""
import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, box, mapping
from shapely.ops import unary_union, voronoi_diagram

from demo import people

COUNTY = people.AREA + "000000"
BOUNDS = (114.0, 30.0, 114.8, 30.6)   # lon/lat box the county fills


@dataclass
class Member:
    name: str
    relation: str
    idno: str
    age: int
    female: bool


@dataclass
class DemoHousehold:
    code: str
    village: str
    head: Member
    members: list[Member]
    poverty_status: str
    last_pc_income: int


@dataclass
class DemoCounty:
    villages: dict[str, Polygon] = field(default_factory=dict)         # code -> boundary
    townships: dict[str, Polygon] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    households: list[DemoHousehold] = field(default_factory=list)

    def places_geojson(self) -> bytes:
        features = [_feature(*place) for place in self._places()]
        return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()

    def places_csv(self) -> bytes:
        """The places as `places import` reads a CSV; boundaries to 1e-6 degree (about 0.1 m), so the
        file stays small and its neighbours still share their edges exactly."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("code", "level", "parent_code", "name", "seismic_ge7", "water_scarce", "boundary_geojson"))
        for code, level, parent, name, shape, seismic, scarce in self._places():
            boundary = mapping(shapely.set_precision(shape.buffer(0), 1e-6))
            writer.writerow((code, level, parent or "", name, int(seismic), int(scarce), json.dumps(boundary)))
        return out.getvalue().encode()

    def _places(self):
        """(code, level, parent code, name, boundary, seismic_ge7, water_scarce), county first."""
        yield COUNTY, "county", None, "示范县", unary_union(list(self.townships.values())), False, False
        for code, shape in sorted(self.townships.items()):
            yield code, "township", COUNTY, self.names[code], shape, False, False
        for i, (code, shape) in enumerate(sorted(self.villages.items())):
            yield code, "village", code[:9] + "000", self.names[code], shape, i % 3 == 0, i % 5 == 0

    def households_csv(self) -> bytes:
        lines = ["household_id,village,head_name,head_idno,poverty_status,category,status,last_pc_income,members,"
                 "lon,lat"]
        for h in self.households:
            members = json.dumps([{"name": m.name, "relation": m.relation, "idno": m.idno} for m in h.members],
                                 ensure_ascii=False).replace('"', '""')
            # Where the registry places it: a point in its village, the same for a household every time.
            lon, lat = self.point_in(h.village, random.Random(h.code))
            lines.append(f'{h.code},{h.village},{h.head.name},{h.head.idno},{h.poverty_status},none,none,'
                         f'{h.last_pc_income},"{members}",{lon:.6f},{lat:.6f}')
        return ("\n".join(lines) + "\n").encode()

    def point_in(self, village: str, rng: random.Random) -> tuple[float, float]:
        """A random (lon, lat) inside the village."""
        shape = self.villages[village]
        minx, miny, maxx, maxy = shape.bounds
        while True:
            p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if shape.contains(p):
                return p.x, p.y


def build_county(*, townships: int = 12, villages: int = 200, households: int = 50_000, seed: int = 7,
                 on: date = date(2026, 11, 1)) -> DemoCounty:
    rng = random.Random(seed)
    county = DemoCounty()
    area = box(*BOUNDS)
    seeds = MultiPoint([(rng.uniform(BOUNDS[0], BOUNDS[2]), rng.uniform(BOUNDS[1], BOUNDS[3]))
                        for _ in range(villages)])
    cells = [cell.intersection(area) for cell in voronoi_diagram(seeds, envelope=area).geoms]
    cells = [c for c in cells if isinstance(c, Polygon) and not c.is_empty]
    centres = [(rng.uniform(BOUNDS[0], BOUNDS[2]), rng.uniform(BOUNDS[1], BOUNDS[3])) for _ in range(townships)]
    groups: dict[int, list[Polygon]] = {}
    for cell in cells:   # each village joins the nearest township centre
        c = cell.centroid
        nearest = min(range(townships), key=lambda t: (centres[t][0] - c.x) ** 2 + (centres[t][1] - c.y) ** 2)
        groups.setdefault(nearest, []).append(cell)
    for t_index, (_, cells_of_township) in enumerate(sorted(groups.items()), start=1):
        township = f"{people.AREA}{t_index:03d}000"
        county.townships[township] = unary_union(cells_of_township)
        county.names[township] = f"{people.GIVEN[t_index % len(people.GIVEN)]}{'镇乡'[t_index % 2]}"
        for v_index, cell in enumerate(sorted(cells_of_township, key=lambda p: (p.centroid.x, p.centroid.y)), start=1):
            village = f"{township[:9]}{v_index:03d}"
            county.villages[village] = cell
            county.names[village] = f"{people.SURNAMES[v_index % len(people.SURNAMES)]}家{'村湾岭坪'[v_index % 4]}"
    village_codes = sorted(county.villages)
    for n in range(households):
        village = village_codes[n % len(village_codes)]
        county.households.append(_household(rng, f"H{n + 1:07d}", village, on))
    return county


def _household(rng: random.Random, code: str, village: str, on: date) -> DemoHousehold:
    head_age = rng.randint(28, 80)
    head = _member(rng, "head", head_age, female=rng.random() < 0.2, on=on)
    members = [head]
    if rng.random() < 0.85:
        members.append(_member(rng, "spouse", max(20, head_age + rng.randint(-5, 5)), not head.female, on))
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        members.append(_member(rng, rng.choice(("son", "daughter")), rng.randint(0, max(1, head_age - 20)),
                               rng.random() < 0.5, on))
    lifted = rng.random() < 0.3
    income = int(rng.lognormvariate(9.45 if lifted else 9.7, 0.45))
    return DemoHousehold(code, village, head, members, "lifted" if lifted else "ordinary", income)


def _member(rng: random.Random, relation: str, age: int, female: bool, on: date) -> Member:
    born = people.birth_date(rng, age, on)
    return Member(people.name(rng), relation, people.id_number(rng, born, female), age, female)


def _feature(code, level, parent, name, shape, seismic=False, scarce=False) -> dict:
    return {"type": "Feature", "geometry": mapping(shape.buffer(0)),
            "properties": {"code": code, "level": level, "parent_code": parent, "name": name,
                           "seismic_ge7": seismic, "water_scarce": scarce}}
