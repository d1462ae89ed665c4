"""Planning the accounts: who owns each, its ARR band and ARR, parents and children,
names and customer-since dates; `lifecycle.fill_account` then draws the rest of its
fields.

The demo plans its few thousand accounts in one go; the benchmark plans up to a million
batch by batch (`plan_accounts` per batch, owners and bands drawn once for all).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from .draws import DemoCalendar, random_day, round_dollars
from .lifecycle import fill_account
from .rows import AccountRow, BookOwner, DemoAccount
from .tables import (
    ARR_BANDS,
    CHILD_ACCOUNT_SHARE,
    COMMERCIAL_BOOK_WEIGHT,
    CUSTOMER_HISTORY_DAYS,
    FAST_ONBOARDING_DAYS,
    FAST_ONBOARDING_SHARE,
    FEDERAL_SHARE,
    RECENT_CUSTOMER_SHARE,
    TAM_ASSIGNED_ENGAGEMENT,
    UNMANAGED_CHILD_SHARE,
    ArrBand,
    is_commercial,
)
from .words import (
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    DIVISIONS,
    FEDERAL_BODIES,
    INDUSTRY_WORDS,
    PUBLIC_AGENCIES,
    PUBLIC_JURISDICTIONS,
    REGION_NAME_STYLE,
)


def book_owners(count: int, tams: list[BookOwner], rng: random.Random) -> list[BookOwner]:
    """The TAM of each of `count` accounts, books balanced by region kind, in random
    order."""
    weights = [COMMERCIAL_BOOK_WEIGHT if is_commercial(tam.region) else 1.0 for tam in tams]
    owners = [
        tam for tam, size in zip(tams, apportion(count, weights), strict=True) for _ in range(size)
    ]
    rng.shuffle(owners)
    return owners


def bands_for(owners: list[BookOwner], rng: random.Random) -> list[ArrBand]:
    """The ARR band of each account, stratified so every band appears in both region kinds
    (a small demo still shows every segment) and commercial accounts are smaller."""
    bands: list[ArrBand | None] = [None] * len(owners)
    for commercial in (False, True):
        slots = [i for i, owner in enumerate(owners) if is_commercial(owner.region) == commercial]
        weights = [
            band.commercial_weight if commercial else band.enterprise_weight for band in ARR_BANDS
        ]
        drawn = [
            band
            for band, size in zip(ARR_BANDS, apportion(len(slots), weights, 1), strict=True)
            for _ in range(size)
        ]
        rng.shuffle(drawn)
        for slot, band in zip(slots, drawn, strict=True):
            bands[slot] = band
    return bands


def apportion(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` into whole shares proportional to `weights` (largest remainder).

    Each share gets `minimum` first when the total allows it.
    """
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    exact = [rest * weight / sum(weights) for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: rest - sum(shares)]:
        shares[index] += 1
    return [floor + share for share in shares]


def plan_accounts(
    owners: list[BookOwner],
    bands: list[ArrBand],
    *,
    external_ids: list[str],
    calendar: DemoCalendar,
    rng: random.Random,
) -> list[DemoAccount]:
    """One account per owner, band and external id, with every field drawn."""
    demo_accounts = [
        DemoAccount(
            account=AccountRow(
                external_id=external_id,
                region_id=owner.region.pk,
                tam_id=owner.tam_id,
                arr=draw_arr(band, rng),
            ),
            band=band,
            region=owner.region,
            active_until=calendar.as_of,
        )
        for owner, band, external_id in zip(owners, bands, external_ids, strict=True)
    ]
    _make_children(demo_accounts, rng)
    _name_accounts(demo_accounts, rng)
    _plan_customer_since(demo_accounts, calendar, rng)
    for demo in demo_accounts:
        fill_account(demo, calendar, rng)
    return demo_accounts


def draw_arr(band: ArrBand, rng: random.Random) -> Decimal:
    """Log-uniform inside the band: many accounts near its floor, few near its ceiling."""
    value = math.exp(rng.uniform(math.log(band.low), math.log(band.high)))
    # Keep off the exact thresholds, where `>` and `>=` would disagree about the segment.
    return round_dollars(min(max(value, band.low + 10), band.high - 10))


def _make_children(demo_accounts: list[DemoAccount], rng: random.Random) -> None:
    """Make a few accounts children of a TAM-assigned account in the same region; the
    parent's TAM owns them, and half are unmanaged (Pr3, page 004)."""
    child_count = int(len(demo_accounts) * CHILD_ACCOUNT_SHARE)
    child_indexes = set(rng.sample(range(len(demo_accounts)), child_count))
    parents_by_region: dict[str, list[DemoAccount]] = defaultdict(list)
    for index, demo in enumerate(demo_accounts):
        if index not in child_indexes and demo.band.engagement >= TAM_ASSIGNED_ENGAGEMENT:
            parents_by_region[demo.region.code].append(demo)
    for index in sorted(child_indexes):
        child = demo_accounts[index]
        candidates = parents_by_region.get(child.region.code)
        if not candidates:
            continue
        child.parent = rng.choice(candidates)
        child.account.tam_id = child.parent.account.tam_id
        child.account.managed = rng.random() >= UNMANAGED_CHILD_SHARE


class _AccountNamer:
    """Unique, plausible company names: word lists combined, suffixes by region."""

    ATTEMPTS = 40

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def company(self, region_code: str) -> str:
        if region_code == "public-sector":
            return self._unique(self._public_body)
        style = REGION_NAME_STYLE.get(region_code, "us")
        return self._unique(lambda: self._business(style))

    def child(self, parent_name: str) -> str:
        return self._unique(lambda: f"{parent_name} - {self.rng.choice(DIVISIONS)}")

    def _business(self, style: str) -> str:
        words = f"{self.rng.choice(COMPANY_WORDS)} {self.rng.choice(INDUSTRY_WORDS)}"
        return f"{words} {self.rng.choice(COMPANY_SUFFIXES[style])}".strip()

    def _public_body(self) -> str:
        if self.rng.random() < FEDERAL_SHARE:
            return self.rng.choice(FEDERAL_BODIES)
        return f"{self.rng.choice(PUBLIC_JURISDICTIONS)} {self.rng.choice(PUBLIC_AGENCIES)}"

    def _unique(self, make_name) -> str:
        for _ in range(self.ATTEMPTS):
            name = make_name()
            if name not in self.used:
                break
        # The word lists run out for very large portfolios: number the repeats.
        base, number = name, 2
        while name in self.used:
            name, number = f"{base} ({number})", number + 1
        self.used.add(name)
        return name


def _name_accounts(demo_accounts: list[DemoAccount], rng: random.Random) -> None:
    namer = _AccountNamer(rng)
    for demo in demo_accounts:
        if demo.parent is None:
            demo.account.name = namer.company(demo.region.code)
    for demo in demo_accounts:
        if demo.parent is not None:
            demo.account.name = namer.child(demo.parent.account.name)


def _plan_customer_since(
    demo_accounts: list[DemoAccount], calendar: DemoCalendar, rng: random.Random
) -> None:
    """Customer-since dates spread evenly within each ARR band: RECENT_CUSTOMER_SHARE
    signed in this or the previous quarter (open onboarding clocks), the rest in the three
    years before. Even spreading gives every window a metric looks at customers of every
    size, even in a small demo; each band's newest customer opens the current quarter."""
    by_band: dict[str, list[DemoAccount]] = defaultdict(list)
    for demo in demo_accounts:
        by_band[demo.band.code].append(demo)
    recent_from = calendar.recent_from
    oldest = calendar.as_of - timedelta(days=CUSTOMER_HISTORY_DAYS)
    for members in by_band.values():
        rng.shuffle(members)
        recent = max(1, round(len(members) * RECENT_CUSTOMER_SHARE))
        _spread_since(members[recent:], oldest, recent_from - timedelta(days=1), rng)
        _spread_since(members[:recent], recent_from, calendar.as_of, rng)
        for demo in members[:recent]:
            demo.fast_track = rng.random() < FAST_ONBOARDING_SHARE
        _open_the_quarter(members[recent - 1], calendar, rng)


def _spread_since(members: list[DemoAccount], first: date, last: date, rng: random.Random):
    """One customer-since per member, in order, each in its own equal slice of the range."""
    span = (last - first).days + 1
    for position, demo in enumerate(members):
        offset = min(span - 1, int(span * (position + rng.random()) / len(members)))
        demo.account.customer_since = first + timedelta(days=offset)


def _open_the_quarter(demo: DemoAccount, calendar: DemoCalendar, rng: random.Random) -> None:
    """A new customer of the quarter's first days that onboards fast: even three weeks into
    a quarter its onboarding clocks, onboarding webinar and plan have something to show."""
    start = calendar.current.start
    latest = max(start, calendar.as_of - timedelta(days=FAST_ONBOARDING_DAYS[0]))
    demo.account.customer_since = random_day(rng, start, latest)
    demo.fast_track = True
