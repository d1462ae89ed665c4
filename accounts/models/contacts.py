"""The customer's people the TAM works with (the CRM's contacts, DESIGN section 10)."""

from django.db import models

from core.validators import supported_date

from .accounts import Account


class ContactRole(models.TextChoices):
    CHAMPION = "champion", "Champion"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    TECHNICAL_LEAD = "technical_lead", "Technical lead"
    USER = "user", "User"


class Contact(models.Model):
    """A person at the customer. `left_on` set: they left, kept so a departed champion shows."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    # The CRM's id; NULL (not "", which the unique constraint would allow once) for a
    # contact entered in the portal.
    external_id = models.CharField("external id", max_length=64, null=True, blank=True)  # noqa: DJ001
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True)
    title = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=ContactRole.choices, default=ContactRole.USER)
    left_on = models.DateField(
        "left the company on", null=True, blank=True, validators=[supported_date]
    )

    class Meta:
        ordering = ["account", "name"]
        constraints = [
            models.UniqueConstraint(fields=["external_id"], name="contact_external_id_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def has_left(self) -> bool:
        return self.left_on is not None
