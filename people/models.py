"""People: users with a role, and teams with a manager and a region."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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
