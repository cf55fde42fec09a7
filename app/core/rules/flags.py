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
