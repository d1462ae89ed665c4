"""People: users with a role, teams with a manager and a region, and the sign-in settings."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Role(models.TextChoices):
    TAM = "tam", "TAM"
    MANAGER = "manager", "TAM manager"
    ADMIN = "admin", "Admin (TAM operations)"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="teams")
    manager = models.ForeignKey(
        "people.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_teams",
        limit_choices_to={"role": Role.MANAGER},
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in. TAMs own accounts; managers review a team; admins see all."""

    role = models.CharField(max_length=10, choices=Role.choices, default=Role.TAM)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            # Imports match TAMs by e-mail, so an address may belong to one user only.
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~models.Q(email=""),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_portal_admin(self):
        return self.role == Role.ADMIN or self.is_superuser


# A session may stay idle between 5 minutes and 14 days: below 5 minutes the once-a-minute
# refresh of the last-seen time would be too coarse; above 14 days SESSION_COOKIE_AGE ends
# the session first (settings.py).
SESSION_IDLE_MINUTES_RANGE = (5, 14 * 24 * 60)


class SecuritySettings(models.Model):
    """The sign-in settings admins change (issue 11). One row (id 1).

    Read on the requests that refresh a session's last-seen time (at most one a minute per
    session), through a cache kept `CACHE_SECONDS`: a change applies at once in the process
    that saved it and within that time in the others.
    """

    SINGLETON_ID = 1
    CACHE_KEY = "people:session-idle-minutes"
    CACHE_SECONDS = 60

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    session_idle_minutes = models.PositiveIntegerField(
        "end a session after this many idle minutes",
        default=12 * 60,
        validators=[
            MinValueValidator(SESSION_IDLE_MINUTES_RANGE[0]),
            MaxValueValidator(SESSION_IDLE_MINUTES_RANGE[1]),
        ],
        help_text="A signed-in person who makes no request for this long is signed out "
        "(counted to the minute). 720 is 12 hours; from 5 minutes to 14 days (20160).",
    )

    class Meta:
        verbose_name = "security settings"
        verbose_name_plural = "security settings"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="security_settings_one_row"),
            models.CheckConstraint(
                condition=Q(
                    session_idle_minutes__gte=SESSION_IDLE_MINUTES_RANGE[0],
                    session_idle_minutes__lte=SESSION_IDLE_MINUTES_RANGE[1],
                ),
                name="security_session_idle_minutes_range",
            ),
        ]

    def __str__(self):
        return "Security settings"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.CACHE_KEY)

    @classmethod
    def current(cls) -> "SecuritySettings":
        """The row, or the defaults when it has not been created (one query)."""
        return cls.objects.filter(pk=cls.SINGLETON_ID).first() or cls()

    @classmethod
    def session_idle_seconds(cls) -> int:
        """The idle limit, from the cache when it holds it (no query)."""
        minutes = cache.get(cls.CACHE_KEY)
        if minutes is None:
            minutes = cls.current().session_idle_minutes
            cache.set(cls.CACHE_KEY, minutes, cls.CACHE_SECONDS)
        return minutes * 60
