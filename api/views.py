"""REST views: parse, call the same selector or service the pages call, serialise.

Access is never decided here: meetings come from meetings.selectors (meeting_list_for_user,
meeting_get_for_user, meeting_can_*), reps and teams from coaching.trends (rep_get_for_user,
team_get_for_user), so the API cannot show what the pages would not.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.filters import MAX_BIGINT, MAX_INT, MeetingFilter
from coaching import trends
from coaching.engine.rules import RuleError
from coaching.models import MeetingScore, Moment, RuleSet
from coaching.workbench.services import ruleset_publish
from meetings import selectors, services, transcript_import
from meetings.audio import AudioError
from meetings.speakers import TranscriptImportError
from privacy.consent import consent_check
from privacy.selectors import consent_required_for
from privacy.services import meeting_consent_record
from reviews import selectors as review_selectors

NOT_FOUND = OpenApiResponse(description="No such object, or not one you may see.")
BAD_REQUEST = OpenApiResponse(description="Invalid input: the body names each field's errors.")
FORBIDDEN = OpenApiResponse(description="You may see this object but not change it.")
NO_PAGE = OpenApiResponse(description="No such page (?page= past the last one).")


def _bad_request(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


MEETING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The meeting's id.")
VERSION_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The version's number."
)


@extend_schema_view(
    list=extend_schema(
        summary="Meetings you may see",
        responses={200: s.MeetingSerializer(many=True), 400: BAD_REQUEST, 404: NO_PAGE},
    ),
    retrieve=extend_schema(
        summary="One meeting and its processing status",
        parameters=[MEETING_ID],
        responses={200: s.MeetingSerializer, 404: NOT_FOUND},
    ),
)
class MeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MeetingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MeetingFilter
    lookup_value_regex = r"\d+"

    def initial(self, request, *args, **kwargs):
        """An integration that names no language (no Accept-Language) reads failures in the language
        its user chose in the app; the key is only known here, after authentication."""
        super().initial(request, *args, **kwargs)
        language = getattr(getattr(request.user, "profile", None), "language", "")
        if language and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(language)
            request.LANGUAGE_CODE = language

    @property
    def throttle_scope(self) -> str | None:
        return "upload" if getattr(self, "action", None) == "create" else None

    def get_queryset(self):
        return selectors.meeting_list_for_user(self.request.user).order_by("-held_on", "-created_at", "-id")

    def get_object(self):
        meeting_id = int(self.kwargs["pk"])  # the URL only matches digits
        if meeting_id > MAX_BIGINT:
            raise exceptions.NotFound(_("No such meeting."))
        return selectors.meeting_get_for_user(self.request.user, meeting_id)

    @extend_schema(
        summary="Upload a recording or a transcript",
        description="The same service as the upload page: a recording is queued for transcription, "
        "a transcript waits in `mapping` until its speakers are mapped (see `speakers`).",
        request={"multipart/form-data": s.MeetingUploadSerializer},
        responses={201: s.MeetingSerializer, 400: BAD_REQUEST},
    )
    def create(self, request: Request) -> Response:
        upload = s.MeetingUploadSerializer(data=request.data)
        oversized = getattr(request._request, "oversized_uploads", [])
        if oversized:
            raise _bad_request(
                "file", _("%(name)s is larger than the upload limit.") % {"name": oversized[0]}
            )
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        try:
            notice = consent_check(
                required=consent_required_for(request.user),
                given=bool(data["consent_told_whom"].strip()),
                told_whom=data["consent_told_whom"],
                told_on=data["consent_told_on"],
                method=data["consent_method"],
            )
        except DjangoValidationError as error:
            raise _bad_request("consent_told_whom", str(error.messages[0])) from None
        try:
            with transaction.atomic():
                meeting = services.meeting_create_from_upload(
                    owner=request.user,
                    uploaded_file=data["file"],
                    title=data["title"],
                    held_on=data["held_on"],
                    customer_name=data["customer_name"],
                    language=data["language"],
                )
                if notice is not None:
                    meeting_consent_record(
                        meeting=meeting,
                        told_whom=notice.told_whom,
                        told_on=notice.told_on or meeting.held_on,
                        method=notice.method,
                        recorded_by=request.user,
                    )
        except (AudioError, TranscriptImportError) as error:
            raise _bad_request("file", str(error.message)) from None
        return Response(s.MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Transcript segments in order",
        parameters=[MEETING_ID],
        responses={200: s.SegmentSerializer(many=True), 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def segments(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        return self._page(selectors.segments_for_meeting(meeting), s.SegmentSerializer)

    @extend_schema(
        summary="Behaviour moments found in the meeting",
        parameters=[MEETING_ID],
        responses={200: s.MomentSerializer(many=True), 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def moments(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        moments = Moment.objects.filter(meeting=meeting).order_by("turn_index", "char_start", "id")
        return self._page(moments, s.MomentSerializer)

    @extend_schema(
        summary="KPIs of the meeting",
        parameters=[MEETING_ID],
        responses={200: s.KpiSerializer, 404: OpenApiResponse(description="Not yours, or not analysed yet.")},
        filters=False,
    )
    @action(detail=True, filter_backends=[])
    def kpis(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        score = MeetingScore.objects.filter(meeting=meeting).first()
        if score is None:
            raise exceptions.NotFound(_("This meeting has not been analysed yet."))
        return Response(s.KpiSerializer(score).data)

    @extend_schema(
        summary="Map an imported transcript's speakers to rep and customer",
        parameters=[MEETING_ID],
        description="Starts the analysis the first time, re-analyses afterwards (as the mapping page does).",
        request=s.SpeakerMappingSerializer,
        responses={200: s.MeetingSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def speakers(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        if not selectors.meeting_can_fix_speakers(request.user, meeting):
            raise exceptions.PermissionDenied(_("Only the rep, their manager or an admin maps speakers."))
        names = selectors.speaker_names_for_meeting(meeting)
        if not names:
            raise _bad_request("mapping", _("This meeting is not an imported transcript with speaker names."))
        mapping = s.SpeakerMappingSerializer(data=request.data, context={"names": names})
        mapping.is_valid(raise_exception=True)
        meeting = transcript_import.meeting_speakers_map(
            meeting=meeting, mapping=mapping.validated_data["mapping"]
        )
        return Response(s.MeetingSerializer(meeting).data)

    def _page(self, queryset, serializer_class) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def _range(query: dict, period: str = "week"):
    default_start, default_end = trends.default_range(period)
    start, end = query.get("start") or default_start, query.get("end") or default_end
    if start > end:
        raise _bad_request("start", _("The start date is after the end date."))
    return start, end


class RepTrendView(APIView):
    @extend_schema(
        summary="A rep's KPIs per week or month, with the team median",
        parameters=[s.RepTrendQuerySerializer],
        responses={200: s.RepTrendSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        query = s.RepTrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rep = trends.rep_get_for_user(request.user, query.validated_data.get("rep"))
        period = query.validated_data["period"]
        start, end = _range(query.validated_data, period)
        trend = trends.rep_trend(
            viewer=request.user,
            rep=rep,
            period=period,
            start=start,
            end=end,
            targets=review_selectors.targets_for_rep(rep),
        )
        return Response(s.RepTrendSerializer(trend).data)


class TeamTrendView(APIView):
    @extend_schema(
        summary="One row per rep of a team: KPI averages, sparklines and flags",
        parameters=[s.TeamTrendQuerySerializer],
        responses={200: s.TeamTrendSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        query = s.TeamTrendQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        team = trends.team_get_for_user(request.user, query.validated_data.get("team"))
        start, end = _range(query.validated_data)
        table = trends.team_table(
            viewer=request.user,
            team=team,
            start=start,
            end=end,
            targets=review_selectors.targets_for_team(team),
        )
        return Response(s.TeamTrendSerializer(table).data)


@extend_schema_view(
    list=extend_schema(
        summary="Published rule versions, newest first",
        responses={200: s.RuleVersionSerializer(many=True), 404: NO_PAGE},
    ),
    retrieve=extend_schema(
        summary="One rule version (admins also get its rules)",
        parameters=[VERSION_NUMBER],
        responses={200: s.RuleVersionDetailSerializer, 404: NOT_FOUND},
    ),
)
class RuleVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every signed-in user may see which rules their numbers come from (the trend pages say so);
    the rules themselves, and publishing, are for admins, as in the workbench."""

    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return RuleSet.objects.select_related("author").order_by("-number")

    def get_object(self):
        number = int(self.kwargs["number"])  # the URL only matches digits
        version = self.get_queryset().filter(number=number).first() if number <= MAX_INT else None
        if version is None:
            raise exceptions.NotFound(_("No such rule version."))
        return version

    def get_serializer_class(self):
        return s.RuleVersionSerializer if self.action == "list" else s.RuleVersionDetailSerializer

    @extend_schema(
        summary="Publish the workbench draft as the next version (admins)",
        description="Makes it active and rescores every meeting, as the workbench's publish button does.",
        request=s.RulePublishSerializer,
        responses={201: s.RuleVersionDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    )
    def create(self, request: Request) -> Response:
        if not request.user.is_staff:
            raise exceptions.PermissionDenied(_("Only admins publish rules."))
        body = s.RulePublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            version = ruleset_publish(
                actor=request.user, comment=body.validated_data["comment"], source="api"
            )
        except RuleError as error:
            raise _bad_request("non_field_errors", str(error)) from None
        return Response(
            s.RuleVersionDetailSerializer(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def not_found(request, exception=None):
    """404 for a URL no route matches: JSON under /api/ (what API clients parse), the site's
    page elsewhere. Wired as the project's handler404."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
