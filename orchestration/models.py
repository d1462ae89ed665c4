"""The recompute's own records: one row per run (DESIGN 8)."""

from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    # Every account but those listed in `failures` was computed (DESIGN 8: one account
    # cannot stop the run for everyone else).
    COMPLETED_WITH_ERRORS = "completed_with_errors", "Completed with errors"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (another run was in progress)"
    ABANDONED = "abandoned", "Abandoned (its worker stopped)"


class RecomputeRun(models.Model):
    """One run of the recompute job: when, why, what it changed, how it ended."""

    trigger = models.CharField(max_length=20)
    as_of = models.DateField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=25, choices=RunStatus.choices, default=RunStatus.RUNNING)
    accounts = models.PositiveIntegerField(default=0)
    segments_changed = models.PositiveIntegerField(default=0)
    priorities_changed = models.PositiveIntegerField(default=0)
    assessments_created = models.PositiveIntegerField(default=0)
    assessments_updated = models.PositiveIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Accounts a rule or a metric failed on, each {"account_id", "account", "step",
    # "error"}; the first FAILURES_KEPT are kept, `failed_accounts` counts them all.
    failed_accounts = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "prioritization_recomputerun"  # kept from when it lived there
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self):
        return f"Recompute {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def duration(self):
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def outcome(self) -> str:
        """How the run ended, as people read it: "succeeded", "completed with errors
        (2 accounts)"."""
        if self.status == RunStatus.COMPLETED_WITH_ERRORS:
            plural = "" if self.failed_accounts == 1 else "s"
            return f"completed with errors ({self.failed_accounts} account{plural})"
        return str(self.get_status_display()).lower()


RECOMPUTE_LOCK = "recompute"
FAILURES_KEPT = 100


class RunLock(models.Model):
    """One row per job that must not overlap with itself: who holds it and until when.

    Taken, renewed and released by compare-and-set updates (`lock.py`), never read and
    then written, so the same code is safe on PostgreSQL and SQLite.
    """

    name = models.CharField(primary_key=True, max_length=40)
    # host:pid:token of the process holding it; blank when free
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} lock ({self.holder or 'free'})"


class RecomputeRequest(models.Model):
    """An account whose rule inputs a write changed, or the whole portfolio (no account),
    waiting for the recompute (`requests.py`); deleted once a run has covered it."""

    # No foreign key: a request outlives nothing it needs, and an account deleted meanwhile
    # is simply not found by the recompute. None asks for a full run.
    account_id = models.BigIntegerField(null=True, blank=True)
    trigger = models.CharField(max_length=100)
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["requested_at"])]

    def __str__(self):
        subject = f"account {self.account_id}" if self.account_id else "every account"
        return f"recompute {subject} ({self.trigger})"


class RecomputeChunk(models.Model):
    """One id range of one phase of a run, which any drainer may claim (`fanout.py`): the
    run's own threads or a helper task on another worker.

    Claimed by compare-and-set (`claimed_by`, `claimed_until`); a claim that runs out is
    free again, so a drainer that died leaves its chunk to the next. `done` and `result`
    are written in the chunk's own transaction, with its writes: a chunk is done with its
    result or not done at all. `error` is what failed a chunk outside its retries.
    """

    run = models.ForeignKey(RecomputeRun, on_delete=models.CASCADE, related_name="chunks")
    phase = models.CharField(max_length=20)
    index = models.PositiveIntegerField()
    first_id = models.BigIntegerField()
    # None: open to the end, so accounts added during the run are not missed.
    last_id = models.BigIntegerField(null=True, blank=True)
    # host:pid:thread of the drainer that holds or last held it
    claimed_by = models.CharField(max_length=120, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "phase", "index"], name="recomputechunk_one_per_index"
            )
        ]

    def __str__(self):
        return f"run {self.run_id} {self.phase} chunk {self.index}"
