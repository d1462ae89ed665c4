"""Customer accounts and the facts the rules look at (DESIGN section 2), by subject:

- `regions`: regions (each follows one rule set) and the product's DevOps stages;
- `accounts`: the account itself, `Account.objects.visible_to(user)` and its field choices;
- `facts`: what the rules and metrics read beside the account: opportunities, initiatives,
  stage adoption, success-plan objectives, ARR and usage snapshots;
- `timeline`: activities of every kind and the webinars attended;
- `contacts`: the customer's people (champion, economic buyer, ...), kept after they leave;
- `engagements`: engaging and disengaging a customer (DESIGN section 7).

Every public name is re-exported here: import from `accounts.models`, not from a part.
"""

# A region's `rule_set` takes RuleSet values; callers that compare against it have long
# imported it from here.
from lib.rule_sets import RuleSet

from .accounts import Account, AccountQuerySet, Health, LamConfidence, SuccessPlanState
from .contacts import Contact, ContactRole
from .engagements import (
    Disengagement,
    DisengagementReason,
    Engagement,
    EngagementKind,
    ProjectTemplate,
    project_template_for,
)
from .facts import (
    ArrSnapshot,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
    StageAdoption,
    SuccessPlanObjective,
    UsageSnapshot,
)
from .regions import Region, Stage
from .timeline import (
    Activity,
    ActivityKind,
    Milestone,
    Outcome,
    PlaybookKind,
    SurveyKind,
    Webinar,
)

__all__ = [
    "Account",
    "AccountQuerySet",
    "Activity",
    "ActivityKind",
    "ArrSnapshot",
    "Contact",
    "ContactRole",
    "Disengagement",
    "DisengagementReason",
    "Engagement",
    "EngagementKind",
    "Health",
    "Initiative",
    "InitiativeKind",
    "InitiativeStatus",
    "LamConfidence",
    "Milestone",
    "Opportunity",
    "OpportunityKind",
    "OpportunityStatus",
    "Outcome",
    "PlaybookKind",
    "ProjectTemplate",
    "Region",
    "RuleSet",
    "Stage",
    "StageAdoption",
    "SuccessPlanObjective",
    "SuccessPlanState",
    "SurveyKind",
    "UsageSnapshot",
    "Webinar",
    "project_template_for",
]
