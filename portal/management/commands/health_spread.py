"""Print how many accounts are in each computed health band (DESIGN 11): green, yellow,
red and unknown, with their shares, as the last recompute wrote them. The demo's spread
is read with it (`manage.py health_spread` after `./scripts/run`'s seeding)."""

from django.core.management.base import BaseCommand

from health.selectors import band_spread, describe_spread


class Command(BaseCommand):
    help = "Print the accounts per computed health band (as the last recompute wrote them)."

    def handle(self, *args, **options):
        spread = band_spread()
        self.stdout.write(f"{sum(spread.values()):,} accounts: {describe_spread(spread)}")
