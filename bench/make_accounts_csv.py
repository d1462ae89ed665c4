"""Write a synthetic account CSV with every import column, for the import benchmark.

Usage: python bench/make_accounts_csv.py ROWS FILE [--seed S]
About 5% of rows are child accounts of an earlier row; TAM e-mails come from a pool of
about one TAM per 50 accounts.
"""

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

REGIONS = [
    "us-enterprise",
    "emea-enterprise",
    "apac-enterprise",
    "public-sector",
    "commercial-noram",
    "commercial-latam",
    "commercial-emea",
]
STAGES = ["Manage", "Plan", "Create", "Verify", "Package", "Secure", "Release", "Configure"]
COLUMNS = [
    "external_id", "name", "region", "parent_external_id", "managed", "tam_email", "arr",
    "lam", "lam_confidence", "customer_since", "first_engaged_on", "first_value_on",
    "onboarded_on", "renewal_date", "licensed_users", "active_users", "health", "at_risk",
    "in_triage", "success_plan", "critical_project", "stages_adopted", "uptier_close_date",
    "growth_close_date", "stage_adoption_hours", "infra_change_hours", "expansion_play",
    "org_change", "weekly_engagement", "tam_handover", "key_logo", "channel_engaged",
    "last_nps", "digital",
]  # fmt: skip


def _maybe(rng, share, value):
    return value if rng.random() < share else ""


def _row(index, rng, today):
    since = today - timedelta(days=rng.randint(0, 1100))
    engaged = since + timedelta(days=rng.randint(2, 30))
    arr = round(rng.lognormvariate(10.8, 1.2), 2)
    licensed = rng.randint(10, 5000)
    parent = f"BENCH-{rng.randrange(index):07d}" if index > 10 and rng.random() < 0.05 else ""
    yes_no = lambda share: "true" if rng.random() < share else "false"  # noqa: E731
    return [
        f"BENCH-{index:07d}", f"Bench Customer {index}", rng.choice(REGIONS), parent,
        "false" if parent and rng.random() < 0.5 else "true",
        f"tam{index // 50:05d}@example.com", f"{arr:.2f}",
        _maybe(rng, 0.7, f"{arr * rng.uniform(1, 4):.2f}"), rng.choice(["high", "low", ""]),
        since.isoformat(), engaged.isoformat(),
        (engaged + timedelta(days=rng.randint(1, 40))).isoformat(),
        _maybe(rng, 0.8, (engaged + timedelta(days=rng.randint(20, 60))).isoformat()),
        (since + timedelta(days=365 * (1 + (today - since).days // 365))).isoformat(),
        licensed, rng.randint(0, licensed), rng.choice(["green", "green", "yellow", "red"]),
        yes_no(0.05), yes_no(0.03), rng.choice(["none", "unclear", "objectives", "green"]),
        yes_no(0.1), ";".join(rng.sample(STAGES, rng.randint(0, 5))),
        _maybe(rng, 0.1, (today + timedelta(days=rng.randint(10, 300))).isoformat()),
        _maybe(rng, 0.1, (today + timedelta(days=rng.randint(10, 300))).isoformat()),
        _maybe(rng, 0.15, rng.choice(["1", "2.5", "4"])),
        _maybe(rng, 0.1, rng.choice(["1", "3"])), yes_no(0.1), yes_no(0.05), yes_no(0.05),
        yes_no(0.03), yes_no(0.05), yes_no(0.03), _maybe(rng, 0.8, rng.randint(0, 10)),
        yes_no(0.02),
    ]  # fmt: skip


def write_csv(rows: int, path: Path, seed: int = 1, today: date | None = None) -> None:
    rng = random.Random(seed)
    today = today or date.today()
    with path.open("w", newline="") as output:
        writer = csv.writer(output, lineterminator="\n")
        writer.writerow(COLUMNS)
        for index in range(rows):
            writer.writerow(_row(index, rng, today))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int)
    parser.add_argument("file", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    write_csv(arguments.rows, arguments.file, arguments.seed)
