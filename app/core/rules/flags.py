"""What a rule says about a submission: a flag that explains itself."""
from dataclasses import asdict, dataclass, field

# high: a guarantee (两不愁三保障, water, income line) is not met; medium: a risk to follow up;
# low: a watch list; data: the answers themselves are doubtful.
SEVERITIES = ("high", "medium", "low", "data")


@dataclass(frozen=True)
class Flag:
    rule: str                    # R1, R6, R22, ...
    code: str                    # income_below_line, edu_dropout, ...
    severity: str
    explanation_zh: str
    explanation_en: str
    inputs: dict = field(default_factory=dict)      # what the rule read
    threshold: dict = field(default_factory=dict)   # what it compared against

    def as_dict(self) -> dict:
        return asdict(self)


# Each flag code's severity: a code always has the same one (tests/core/test_severity_catalogue.py reads
# every Flag(...) the rules raise and holds them to this). Maps, tiles and coverage use it to tell risk
# flags (high, medium, low) from data-quality ones without reading each flag row.
SEVERITY_OF = {
    "income_below_line": "high", "basic_needs": "high", "edu_dropout": "high", "no_med_ins": "high",
    "housing_unsafe": "high", "water_unsafe": "high",
    "income_drop": "medium", "medical_high": "medium", "no_labor": "medium", "no_worker": "medium",
    "rigid_expense": "medium", "renovation_eligible": "medium", "water_check_needed": "medium",
    "housing_grade_unknown": "medium", "seismic_retrofit_candidate": "medium",
    "income_watch_10k": "low",
}
# R21 cluster risk (§8.5): the flags of R1, R4, R8 and R9 whose share among a place's screened households
# makes an area alert (Ruleset.cluster_share).
CLUSTER_CODES = ("income_below_line", "rigid_expense", "housing_unsafe", "water_unsafe")
# Every code not above is a data-quality flag (severity "data").
RISK_CODES = {severity: sorted(code for code, s in SEVERITY_OF.items() if s == severity)
              for severity in ("high", "medium", "low")}
ALL_RISK_CODES = sorted(SEVERITY_OF)


def worst_severity(codes) -> str | None:
    """The worst risk severity among flag codes ('high', 'medium' or 'low'); None if none is a risk flag."""
    found = {SEVERITY_OF.get(code) for code in codes}
    return next((s for s in ("high", "medium", "low") if s in found), None)
