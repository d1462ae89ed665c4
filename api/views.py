"""The read endpoints of DESIGN 10 and the personal tokens. Thin: scoping in scope.py,
shapes in serializers.py. Every list reads its page with a fixed number of queries."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Activity
from core import audit
from metrics.burndown import burn_down_lists
from metrics.clock_targets import ClockTargets
from metrics.models import MetricResult
from orchestration.selection import explain_account

from . import serializers
from .filters import AccountFilter, MetricResultFilter
from .models import PersonalToken
from .pagination import ById, NewestFirst
from .permissions import PeopleOnly, ReadScope
from .scope import accounts_for, metric_results_for

ACCOUNT_RELATED = ("region", "tam", "segment", "segment_override")
# The nine lists of metrics.burndown, by key; the URL accepts only these.
BURN_DOWN_KEYS = (
    "first_engage",
    "first_value",
    "onboarding",
    "pr1_cadence",
    "pr2_cadence",
    "pr1_ebr",
    "pr1_success_plan",
    "low_utilisation",
    "renewal_survey",
)


class AccountContext:
    """Accounts with their clocks: the clock targets are read once per request."""

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "clock_targets": ClockTargets(),
            "today": timezone.localdate(),
        }


@extend_schema(tags=["accounts"])
class AccountList(AccountContext, generics.ListAPIView):
    """The accounts in the caller's scope, filtered; cursor-paginated by id."""

    permission_classes = [ReadScope]
    serializer_class = serializers.AccountSerializer
    pagination_class = ById
    filter_backends = [DjangoFilterBackend]
    filterset_class = AccountFilter

    def get_queryset(self):
        return accounts_for(self.request).select_related(*ACCOUNT_RELATED)


@extend_schema(tags=["accounts"])
class AccountDetail(AccountContext, generics.RetrieveAPIView):
    permission_classes = [ReadScope]
    serializer_class = serializers.AccountSerializer
    lookup_field = "external_id"

    def get_queryset(self):
        return accounts_for(self.request).select_related(*ACCOUNT_RELATED)


class InAccount:
    """Views under one account: 404 unless the account is in the caller's scope."""

    def account(self):
        return get_object_or_404(accounts_for(self.request), external_id=self.kwargs["external_id"])


@extend_schema(tags=["accounts"], responses=serializers.ExplanationSerializer)
class AccountExplanation(InAccount, APIView):
    """Every rule of the precedence and of the region's rule set, with the facts it read
    and whether it fired: the same read the nightly run makes, now."""

    permission_classes = [ReadScope]

    def get(self, request, external_id):
        explanation = explain_account(self.account().pk)
        if explanation is None:
            raise Http404
        return Response(serializers.ExplanationSerializer(explanation).data)


@extend_schema(tags=["accounts"])
class AccountAssessments(InAccount, generics.ListAPIView):
    """The account's priority per fiscal quarter, newest first."""

    permission_classes = [ReadScope]
    serializer_class = serializers.AssessmentSerializer
    pagination_class = None

    def get_queryset(self):
        return self.account().assessments.select_related("decided_by").order_by("-fiscal_quarter")


@extend_schema(tags=["accounts"])
class AccountTimeline(InAccount, generics.ListAPIView):
    """The account's activities, newest first."""

    permission_classes = [ReadScope]
    serializer_class = serializers.ActivitySerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        return Activity.objects.filter(account=self.account()).select_related(
            "logged_by", "webinar", "stage"
        )


@extend_schema(tags=["metrics"])
class MetricResultList(generics.ListAPIView):
    """Metric results the caller's dashboard shows, filtered; cursor-paginated by id."""

    permission_classes = [ReadScope]
    serializer_class = serializers.MetricResultSerializer
    pagination_class = ById
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricResultFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's call
            return MetricResult.objects.none()
        return metric_results_for(self.request)


@extend_schema(
    tags=["burn-down"],
    parameters=[
        OpenApiParameter("list", str, OpenApiParameter.PATH, enum=list(BURN_DOWN_KEYS)),
    ],
)
class BurnDownList(AccountContext, generics.ListAPIView):
    """One burn-down list of metrics.burndown over the caller's accounts, as of today."""

    permission_classes = [ReadScope]
    serializer_class = serializers.AccountSerializer
    pagination_class = ById

    def get_queryset(self):
        key = self.kwargs["list"]
        if key not in BURN_DOWN_KEYS:
            raise Http404
        lists = burn_down_lists(accounts_for(self.request), timezone.localdate())
        chosen = next(item for item in lists if item.key == key)
        return chosen.accounts.select_related(*ACCOUNT_RELATED)


@extend_schema(tags=["tokens"])
class PersonalTokenList(generics.ListCreateAPIView):
    """The caller's own personal tokens; POST creates one and answers its secret once."""

    permission_classes = [PeopleOnly]
    serializer_class = serializers.PersonalTokenSerializer
    pagination_class = None

    def get_queryset(self):
        return PersonalToken.objects.filter(user=self.request.user)

    @extend_schema(responses={201: serializers.NewPersonalTokenSerializer})
    def post(self, request, *args, **kwargs):
        incoming = serializers.PersonalTokenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        token = PersonalToken(user=request.user, **incoming.validated_data)
        secret = token.issue()
        token.save()
        audit.record(obj=token, before=None, after=_recorded(token), actor=request.user, via="api")
        answer = serializers.NewPersonalTokenSerializer(token).data
        return Response({**answer, "token": secret}, status=status.HTTP_201_CREATED)


@extend_schema(tags=["tokens"])
class PersonalTokenDetail(generics.RetrieveDestroyAPIView):
    """DELETE revokes the token (it stays listed, with the time it was revoked)."""

    permission_classes = [PeopleOnly]
    serializer_class = serializers.PersonalTokenSerializer

    def get_queryset(self):
        return PersonalToken.objects.filter(user=self.request.user)

    def perform_destroy(self, instance):
        before = _recorded(instance)
        instance.revoke()
        audit.record(
            obj=instance,
            before=before,
            after=_recorded(instance),
            actor=self.request.user,
            via="api",
        )


def _recorded(token: PersonalToken) -> dict:
    return audit.snapshot(token, exclude=PersonalToken.AUDIT_EXCLUDE)
