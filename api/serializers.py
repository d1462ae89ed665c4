"""What the API answers, field by field. Read-only: every serializer reads rows the view
loaded with their related rows, so a page costs the same queries whatever its size."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.clocks import account_clocks
from prioritization.reason_labels import reason_codes, reason_label


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="first_engage, first_value or onboard")
    label = serializers.CharField()
    started_on = serializers.DateField(help_text="Customer since: every clock starts there.")
    reached_on = serializers.DateField(allow_null=True)
    target_days = serializers.IntegerField(allow_null=True)
    days = serializers.IntegerField(help_text="To the milestone, or so far while running.")
    running = serializers.BooleanField()
    late = serializers.BooleanField(help_text="Running past its target.")
    due_on = serializers.DateField(allow_null=True)


def reasons_of(text: str) -> list[dict]:
    return [{"code": code, "label": reason_label(code)} for code in reason_codes(text)]


class AccountSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(source="region.code")
    tam = serializers.EmailField(source="tam.email", allow_null=True, default=None)
    segment = serializers.SerializerMethodField(help_text="The effective segment's code.")
    segment_overridden = serializers.SerializerMethodField()
    priority = serializers.IntegerField(allow_null=True)
    reasons = serializers.SerializerMethodField()
    health = serializers.CharField(
        help_text="The computed health band (green, yellow, red; empty when unknown: "
        "every measure of the scorecard without data)."
    )
    health_score = serializers.IntegerField(
        allow_null=True, help_text="The computed health score, 0-100; null when unknown."
    )
    tam_sentiment = serializers.CharField(
        help_text="The TAM's own green / yellow / red judgement; empty when not given."
    )
    tam_sentiment_on = serializers.DateField(allow_null=True)
    at_risk = serializers.BooleanField()
    customer_since = serializers.DateField(allow_null=True)
    renewal_date = serializers.DateField(allow_null=True)
    clocks = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_segment(self, account) -> str | None:
        segment = account.effective_segment
        return segment.code if segment else None

    def get_segment_overridden(self, account) -> bool:
        return account.segment_override_id is not None

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, account):
        return reasons_of(account.priority_reasons)

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, account):
        targets = self.context["clock_targets"].for_account(account)
        clocks = account_clocks(account, targets, self.context["today"])
        return ClockSerializer(clocks, many=True).data


class RuleCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    fired = serializers.BooleanField()
    facts = serializers.DictField(help_text="What the rule looked at, by name.")


class ExplanationSerializer(serializers.Serializer):
    priority = serializers.IntegerField()
    reasons = serializers.SerializerMethodField()
    computed_priority = serializers.IntegerField(help_text="The model's own answer.")
    source = serializers.CharField(help_text="model, exception or review")
    emea_score = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    checks = RuleCheckSerializer(many=True)

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, assessment):
        return reasons_of(";".join(assessment.reasons))


class AssessmentSerializer(serializers.Serializer):
    quarter = serializers.CharField(source="fiscal_quarter")
    computed_priority = serializers.IntegerField()
    effective_priority = serializers.IntegerField()
    source = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, default=None)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, assessment):
        return reasons_of(assessment.reasons)


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    logged_by = serializers.EmailField(source="logged_by.email", allow_null=True, default=None)
    notes = serializers.CharField()
    milestone = serializers.CharField()
    webinar = serializers.CharField(source="webinar.title", allow_null=True, default=None)
    stayed_whole_session = serializers.BooleanField(allow_null=True)
    feedback_score = serializers.IntegerField(allow_null=True)
    survey_kind = serializers.CharField()
    nps = serializers.IntegerField(allow_null=True)
    csat = serializers.IntegerField(allow_null=True)
    playbook_kind = serializers.CharField()
    stage = serializers.CharField(source="stage.name", allow_null=True, default=None)
    started_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    saved = serializers.BooleanField(allow_null=True)
    success_plan = serializers.CharField()


class MetricResultSerializer(serializers.Serializer):
    metric = serializers.CharField(source="metric.key")
    metric_name = serializers.CharField(source="metric.name")
    unit = serializers.CharField(source="metric.unit")
    quarter = serializers.CharField(source="fiscal_quarter")
    scope_type = serializers.CharField()
    scope = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    attained = serializers.BooleanField(allow_null=True)
    details = serializers.DictField()
    computed_at = serializers.DateTimeField()


class PersonalTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)
    shown = serializers.CharField(read_only=True, help_text="The token's recognisable start.")
    created_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NewPersonalTokenSerializer(PersonalTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once: store it now.")
