"""The rule sets a region can follow (DESIGN 2 and 4): the one list of their names.

Every module that branches on a rule set compares with these members; a region whose
rule set is not one of them is an error wherever it is read (`RuleSet(value)` raises),
never a silent US Enterprise.
"""

from enum import StrEnum


class RuleSet(StrEnum):
    US_ENTERPRISE = "us_enterprise"
    EMEA_ENTERPRISE = "emea_enterprise"
    COMMERCIAL = "commercial"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    RuleSet.US_ENTERPRISE: "US Enterprise (flowchart)",
    RuleSet.EMEA_ENTERPRISE: "EMEA Enterprise (scored, manager review)",
    RuleSet.COMMERCIAL: "Commercial (qualification)",
}

RULE_SET_CHOICES = [(rule_set.value, rule_set.label) for rule_set in RuleSet]
