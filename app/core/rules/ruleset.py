"""Rulesets: the thresholds the risk rules compare against, as data keyed by (province, year).

A province sets its own monitoring income line every year, and water safety is
judged under T/CHES 18-2018 or, where still used, the 2004 criteria. A ruleset
that misses a threshold or contradicts itself is refused when saved.
"""
from dataclasses import dataclass

WATER_VARIANTS = {
    # T/CHES 18-2018 《农村饮水安全评价准则》: all four indicators at least 基本达标.
    "2018": {"quantity_lpcd": 35, "quantity_lpcd_scarce": 20, "fetch_minutes": 20,
             "fetch_horizontal_m": 800, "fetch_vertical_m": 80, "outage_days": 36},
    # 水农〔2004〕547号, 基本安全 level: 20–40 L, 20 min (≈ 800 m / 80 m), 90% reliability.
    "2004": {"quantity_lpcd": 40, "quantity_lpcd_scarce": 20, "fetch_minutes": 20,
             "fetch_horizontal_m": 800, "fetch_vertical_m": 80, "outage_days": 36},
}


class RulesetInvalid(ValueError):
    """The ruleset cannot be used; the message says which threshold is missing or contradictory."""


@dataclass(frozen=True)
class Water:
    variant: str
    quantity_lpcd: float
    quantity_lpcd_scarce: float
    fetch_minutes: float
    fetch_horizontal_m: float
    fetch_vertical_m: float
    outage_days: float


@dataclass(frozen=True)
class Ruleset:
    province: str            # 2-digit province code
    year: int
    version: int
    monitoring_line: float   # yuan per person per year (R1)
    watch_line: float        # the 10,000-yuan focus line for 脱贫户 (R2)
    income_drop_ratio: float # a fall of at least this share of last year's income (R3)
    medical_share: float     # out-of-pocket medical costs at least this share of net income (R5)
    school_age_min: int      # compulsory-education ages (R6)
    school_age_max: int
    min_work_months: int     # a worker with fewer months than this is not stably employed (R11)
    water: Water
    # R21: a place whose share of screened households with R1, R4, R8 or R9 exceeds this is an area alert,
    # once at least cluster_min_households of them have one: one household is not a cluster (a village
    # with one household screened, and that one flagged, is 100%).
    cluster_share: float = 0.10
    cluster_min_households: int = 2

    @property
    def label(self) -> str:
        return f"{self.province}-{self.year}-v{self.version}"


_NUMBERS = ("monitoring_line", "watch_line", "income_drop_ratio", "medical_share",
            "school_age_min", "school_age_max", "min_work_months")


def parse_ruleset(data: dict) -> Ruleset:
    """Build a Ruleset from its JSON form, or raise RulesetInvalid saying what is wrong."""
    missing = [k for k in ("province", "year", "version", *_NUMBERS, "water") if k not in data]
    if missing:
        raise RulesetInvalid(f"missing thresholds: {', '.join(missing)}")
    province = str(data["province"])
    if not (len(province) == 2 and province.isdigit()):
        raise RulesetInvalid(f"province must be a 2-digit code, not {province!r}")
    numbers = {}
    for key in _NUMBERS:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise RulesetInvalid(f"{key} must be a number ≥ 0, not {value!r}")
        numbers[key] = value
    if numbers["watch_line"] < numbers["monitoring_line"]:
        raise RulesetInvalid("watch_line is below monitoring_line; the watch line must be the higher one")
    if not 0 < numbers["income_drop_ratio"] < 1:
        raise RulesetInvalid("income_drop_ratio must be between 0 and 1")
    if not 0 < numbers["medical_share"] <= 1:
        raise RulesetInvalid("medical_share must be above 0 and at most 1")
    if numbers["school_age_min"] > numbers["school_age_max"]:
        raise RulesetInvalid("school_age_min is above school_age_max")
    if numbers["min_work_months"] > 12:
        raise RulesetInvalid("min_work_months cannot exceed 12")
    cluster = data.get("cluster_share", Ruleset.cluster_share)      # optional: §8.5's inferred 10%
    if isinstance(cluster, bool) or not isinstance(cluster, (int, float)) or not 0 < cluster < 1:
        raise RulesetInvalid(f"cluster_share must be between 0 and 1, not {cluster!r}")
    least = data.get("cluster_min_households", Ruleset.cluster_min_households)
    if isinstance(least, bool) or not isinstance(least, int) or least < 1:
        raise RulesetInvalid(f"cluster_min_households must be a whole number ≥ 1, not {least!r}")
    return Ruleset(province=province, year=int(data["year"]), version=int(data["version"]),
                   water=_water(data["water"]), cluster_share=float(cluster), cluster_min_households=least,
                   **numbers)


def _water(data) -> Water:
    if isinstance(data, str):
        data = {"variant": data}
    variant = str(data.get("variant", ""))
    if variant not in WATER_VARIANTS:
        raise RulesetInvalid(f"water variant must be one of {', '.join(WATER_VARIANTS)}, not {variant!r}")
    values = {**WATER_VARIANTS[variant], **{k: v for k, v in data.items() if k != "variant"}}
    for key, value in values.items():
        if key not in WATER_VARIANTS[variant]:
            raise RulesetInvalid(f"unknown water threshold {key!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise RulesetInvalid(f"water.{key} must be a number above 0, not {value!r}")
    if values["quantity_lpcd_scarce"] > values["quantity_lpcd"]:
        raise RulesetInvalid("water.quantity_lpcd_scarce is above water.quantity_lpcd")
    if values["outage_days"] > 365:
        raise RulesetInvalid("water.outage_days cannot exceed 365")
    return Water(variant=variant, **values)
