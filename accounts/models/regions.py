"""Regions (each follows one rule set) and the product's DevOps stages."""

from django.db import models

from lib.rule_sets import RULE_SET_CHOICES


class Region(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    rule_set = models.CharField(max_length=20, choices=RULE_SET_CHOICES)
    digital_tam_trial = models.BooleanField(
        default=False,
        help_text="Trials TAM-assigned digital customers at Pr4 (Public Sector, page 004).",
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A DevOps stage of the product (Manage, Plan, Create, ...)."""

    name = models.CharField(max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name
