"""The demo's triage register (DESIGN 11 "Triage register"): a handful of risk cases in
every state, with dated updates, some of them overdue.

Cases are opened on about half the accounts whose TAM sentiment is red (the computed band
follows: red sentiment makes an account red) and on a handful of yellow ones, so "red
without a triage case" keeps the other half, and the accounts red by their score alone;
the churned outcomes are on customers that did churn, closed on the day they left. Every
date is relative to `as_of`, drawn from the stream given, so the same seed gives the same
cases.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Account, Health
from people.models import User
from triage.models import CaseStatus, RiskCase, RiskCaseUpdate

from .draws import DemoCalendar
from .rows import DemoAccount

# The states in the order they are handed out, so even a small demo has each of them.
# "open late" stopped being updated: its next update is overdue; "proposed" waits for the
# manager's sign-off in the review queue.
PLAN = (
    "open", "open late", "proposed", "will_churn", "saved", "downgraded", "churned",
    "open", "open late", "saved", "open", "downgraded", "proposed", "open late",
)  # fmt: skip
# The yellow accounts with a case, beside the red half: one per 120 accounts (25 for the
# default 3,000), at least enough for every state of PLAN in a small demo, at most 40.
ACCOUNTS_PER_YELLOW_CASE = 120
FEWEST_YELLOW_CASES = len(set(PLAN))
MOST_YELLOW_CASES = 40
INTERVAL = {Health.RED: 14, Health.YELLOW: 30}

REASONS = {
    "product_gap": ("Needs audit exports we do not have", "Asked for the roadmap date again"),
    "competition": ("Evaluating a competitor's bundle", "Competitor demo to their architects"),
    "budget": ("IT budget frozen until next fiscal year", "CFO review of every tool"),
    "adoption": ("Only one team uses the product", "Usage flat since onboarding"),
    "champion_left": ("Our champion left the company", "New director has not met us yet"),
    "support_experience": ("Two escalations this quarter", "Unhappy with ticket response times"),
    "merger_acquisition": ("Acquired; the parent uses another tool", "Integration team decides"),
}
CLASSIFICATIONS = (
    "expected_avoidable", "unexpected_avoidable", "expected_unavoidable",
    "unexpected_unavoidable",
)  # fmt: skip
UPDATES = (
    "Call with the sponsor: agreed a recovery plan.",
    "Workshop held with two teams; usage up a little.",
    "Escalated to the account executive; pricing options sent.",
    "No reply to the last two e-mails.",
    "Exec sponsor meeting booked for next month.",
)
OUTCOMES = {
    "saved": "Renewed at full ARR after the recovery plan.",
    "downgraded": "Renewed with fewer seats.",
    "churned": "Did not renew.",
}


def triage_cases(demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng) -> int:
    """Write the cases and their updates for the accounts already written; how many."""
    yellow_cases = min(
        MOST_YELLOW_CASES,
        max(FEWEST_YELLOW_CASES, len(demo_accounts) // ACCOUNTS_PER_YELLOW_CASE),
    )
    at_risk = [
        demo
        for demo in demo_accounts
        if demo.churned_on is None
        and demo.parent is None
        and demo.account.tam_id is not None
        and demo.account.tam_sentiment in INTERVAL
    ]
    churned = [demo for demo in demo_accounts if demo.churned_on and demo.account.tam_id]
    # Shuffled within each sentiment so the choice is spread over the books.
    reds = [demo for demo in at_risk if demo.account.tam_sentiment == Health.RED]
    yellows = [demo for demo in at_risk if demo.account.tam_sentiment == Health.YELLOW]
    rng.shuffle(reds)
    rng.shuffle(yellows)
    # Every case is drawn in this order, red first: half the red accounts get one and the
    # other half keep none, so the burn-down list has work on it.
    candidates = iter(reds[: len(reds) // 2] + yellows[:yellow_cases])
    rng.shuffle(churned)
    ids = dict(
        Account.objects.filter(
            external_id__in=[demo.account.external_id for demo in at_risk + churned]
        ).values_list("external_id", "pk")
    )
    managers = dict(User.objects.filter(team__isnull=False).values_list("pk", "team__manager_id"))
    cases, updates = [], []
    # The states go round PLAN until every candidate has its case; a churned state takes
    # a churned customer instead, while there are any (a small demo may have none).
    for index in itertools.count():
        state = PLAN[index % len(PLAN)]
        if state == "churned":
            if not churned:
                continue
            demo = churned.pop()
        else:
            demo = next(candidates, None)
            if demo is None:
                break
        case, notes = _case(demo, ids[demo.account.external_id], state, managers, calendar, rng)
        cases.append(case)
        updates.append(notes)
    written = RiskCase.objects.bulk_create(cases)
    RiskCaseUpdate.objects.bulk_create(
        [
            RiskCaseUpdate(case_id=case.pk, **update)
            for case, notes in zip(written, updates, strict=True)
            for update in notes
        ]
    )
    return len(written)


def _case(demo, account_id, state, managers, calendar: DemoCalendar, rng: random.Random):
    as_of = calendar.as_of
    tam_id = demo.account.tam_id
    manager_id = managers.get(tam_id)
    interval = INTERVAL.get(demo.account.tam_sentiment, 30)
    reason = rng.choice(sorted(REASONS))
    ends = demo.churned_on if state == "churned" else as_of
    opened_on = ends - timedelta(days=rng.randint(35, 110))
    arr = demo.arr_before_churn if state == "churned" else demo.account.arr
    share = Decimal(rng.choice((25, 50, 75, 100))) / 100
    case = RiskCase(
        account_id=account_id,
        reason=reason,
        classification=rng.choice(CLASSIFICATIONS),
        arr_at_risk=(arr * share).quantize(Decimal("1")),
        status=CaseStatus.OPEN,
        opened_by_id=tam_id,
        opened_on=opened_on,
    )
    notes = [{"on": opened_on, "note": REASONS[reason][0], "by_id": tam_id}]
    # A late case stopped being updated two intervals ago; the others are up to date.
    last_update_by = ends - timedelta(days=2 * interval + 3) if state == "open late" else ends
    day = opened_on + timedelta(days=interval)
    while day <= last_update_by:
        notes.append({"on": day, "note": rng.choice(UPDATES), "by_id": tam_id})
        day += timedelta(days=interval)
    last = notes[-1]["on"]
    if state in ("proposed", "will_churn") and manager_id:
        case.will_churn_proposed_by_id = tam_id
        case.will_churn_proposed_on = last
        notes.append(
            {"on": last, "note": f"Proposed will churn: {REASONS[reason][1]}.", "by_id": tam_id}
        )
        if state == "will_churn":
            signed = min(as_of, last + timedelta(days=3))
            case.status = CaseStatus.WILL_CHURN
            case.signed_off_by_id, case.signed_off_on = manager_id, signed
            notes.append({"on": signed, "note": "Signed off as will churn.", "by_id": manager_id})
    if state in OUTCOMES:
        case.status = state
        case.closed_on = _closed_on(demo, state, last, as_of)
        case.outcome_comment = OUTCOMES[state]
    else:
        case.next_update_due = last + timedelta(days=interval)
    return case, notes


def _closed_on(demo, state, last: date, as_of: date) -> date:
    if state == "churned":
        return demo.churned_on
    return min(as_of, last + timedelta(days=7))
