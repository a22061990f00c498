"""Only admins reach the rule workbench: reps, managers and visitors get a 404 on every URL."""

import pytest
from django.urls import reverse

from coaching.models import PreviewJob, RescoreJob, RuleSet

pytestmark = pytest.mark.django_db


def _stored_meeting(owner):
    """A meeting with a token cache (only its turns are read by the pages tested here)."""
    from datetime import date

    from coaching.models import MeetingTokens
    from meetings.models import Meeting

    meeting = Meeting.objects.create(
        owner=owner,
        team_id=owner.profile.team_id,
        title="t",
        held_on=date(2026, 11, 2),
        language="ja",
        original_filename="a.wav",
        status=Meeting.Status.DONE,
    )
    turns = [{"speaker": "customer", "text": "どうしたら良いですか？"}, {"speaker": "rep", "text": "はい。"}]
    MeetingTokens.objects.create(meeting=meeting, language="ja", tokeniser="-", turns=turns, tokens={})
    return meeting


def _urls(admin_user, owner):
    version = RuleSet.objects.get(is_active=True)
    job = RescoreJob.objects.create(ruleset=version, total=0)
    preview = PreviewJob.objects.create(created_by=admin_user)
    rule = version.snapshot["rules"][0]["key"]
    meeting = _stored_meeting(owner)
    get = [
        reverse("workbench:index"),
        reverse("workbench:rule_new"),
        reverse("workbench:rule_edit", args=[rule]),
        reverse("workbench:behaviour_new"),
        reverse("workbench:behaviour_edit", args=["rep_affirmation"]),
        reverse("workbench:preview", args=[preview.pk]),
        reverse("workbench:job", args=[job.pk]),
        reverse("workbench:versions"),
        reverse("workbench:export", args=[version.number]),
        reverse("workbench:draft_export"),
        reverse("workbench:accuracy"),
        reverse("workbench:audit"),
        reverse("workbench:label", args=[meeting.pk]),
    ]
    post = [
        reverse("workbench:rule_delete", args=[rule]),
        reverse("workbench:test"),
        reverse("workbench:preview_new"),
        reverse("workbench:preview_mark", args=[preview.pk]),
        reverse("workbench:preview_cancel", args=[preview.pk]),
        reverse("workbench:publish"),
        reverse("workbench:discard"),
        reverse("workbench:restore", args=[version.number]),
        reverse("workbench:import"),
    ]
    return get, post


def test_reps_managers_and_visitors_get_404_on_every_workbench_url(client, alice, carol, dave, admin_user):
    get, post = _urls(admin_user, alice)
    for user in (None, alice, carol, dave):
        client.logout()
        if user:
            client.force_login(user)
        for url in get:
            assert client.get(url).status_code == 404, (user, url)
        for url in post:
            assert client.post(url, {"comment": "x", "text": "はい"}).status_code == 404, (user, url)
    assert RuleSet.objects.count() == 1  # nothing was published by anyone


def test_admin_opens_every_workbench_page(client, admin_user, alice):
    get, _ = _urls(admin_user, alice)
    client.force_login(admin_user)
    for url in get:
        assert client.get(url).status_code == 200, url
