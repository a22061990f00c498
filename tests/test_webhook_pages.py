"""The webhook pages: admins add, edit, resume and redeliver; for anyone else they do not exist."""

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import Delivery, WebhookEndpoint
from tests.test_webhooks import eager_tasks  # noqa: F401  (a fixture)
from tests.webhook_helpers import http_server


@pytest.fixture
def hook(admin_user):
    return services.endpoint_create(
        actor=admin_user, url="https://crm.example.com/aizuchi", events=["meeting.analysed"]
    )


@pytest.mark.django_db
def test_admin_adds_an_endpoint_on_the_page_and_sees_its_secret(client, admin_user):
    client.force_login(admin_user)
    # When the admin fills in the form
    response = client.post(
        reverse("integrations:endpoints"),
        {
            "url": "https://hooks.example.com/in",
            "description": "Data team",
            "events": ["meeting.analysed", "rules.published"],
        },
    )
    # Then the endpoint exists with a secret, shown on its page
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("integrations:endpoint", args=[endpoint.pk]) + "?created=1"
    assert endpoint.events == ["meeting.analysed", "rules.published"] and endpoint.created_by == admin_user
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = client.get(response.url).content.decode()
    assert endpoint.secret in page and "Aizuchi-Signature" in page and '<details open id="secret">' in page
    assert "https://hooks.example.com/in" in client.get(reverse("integrations:endpoints")).content.decode()


@pytest.mark.django_db
def test_bad_form_says_what_is_wrong_in_japanese_and_stores_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("integrations:endpoints"),
        {"url": "ftp://files.example.com/x", "events": []},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "有効なURLを入力してください。" in page and "この項目は必須です。" in page
    assert "新しいエンドポイント" in page  # the page itself is in Japanese
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_admin_edits_events_and_rotates_the_secret(client, admin_user, hook):
    client.force_login(admin_user)
    old_secret = hook.secret
    client.post(
        reverse("integrations:endpoint", args=[hook.pk]),
        {"url": hook.url, "description": "", "events": ["meeting.failed"]},
    )
    client.post(reverse("integrations:rotate_secret", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.events == ["meeting.failed"] and hook.secret != old_secret


@pytest.mark.django_db
@pytest.mark.usefixtures("eager_tasks")
def test_paused_endpoint_shows_why_and_the_admin_resumes_it_and_redelivers_from_the_page(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.AIZUCHI_WEBHOOK_MAX_ATTEMPTS, settings.AIZUCHI_WEBHOOK_RETRY_SECONDS = 3, 0
    settings.AIZUCHI_WEBHOOK_PAUSE_AFTER = 1
    client.force_login(admin_user)
    with http_server(lambda request: (503, {})) as receiver:
        hook = services.endpoint_create(actor=admin_user, url=receiver.url, events=["rules.published"])
        # Given a test event that failed every attempt, which paused the endpoint
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("integrations:ping", args=[hook.pk]))
        failed = Delivery.objects.get()
        assert failed.status == Delivery.Status.FAILED and len(receiver.requests) == 3
        # Then the endpoint's page says it is paused and why
        page = client.get(reverse("integrations:endpoint", args=[hook.pk])).content.decode()
        assert 'id="paused"' in page and "HTTP 503" in page
        delivery_page = client.get(
            reverse("integrations:delivery", args=[hook.pk, failed.pk])
        ).content.decode()
        assert delivery_page.count("HTTP 503") == 3  # each attempt, logged
        # When the receiver works again and the admin resumes and redelivers
        receiver.respond = lambda request: (200, {})
        client.post(reverse("integrations:resume", args=[hook.pk]))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("integrations:redeliver", args=[hook.pk, failed.pk]))
    # Then the same event arrived and the page shows it succeeded
    again = Delivery.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("integrations:delivery", args=[hook.pk, again.pk])
    assert again.status == Delivery.Status.SUCCEEDED and again.event_id == failed.event_id
    hook.refresh_from_db()
    assert not hook.is_paused
    assert 'id="paused"' not in client.get(reverse("integrations:endpoint", args=[hook.pk])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["alice", "carol", None])
def test_webhook_pages_do_not_exist_for_anyone_but_admins(client, request, persona, hook):
    delivery = Delivery.objects.create(endpoint=hook, event="ping", payload={"type": "ping"})
    if persona:
        client.force_login(request.getfixturevalue(persona))
    pages = [
        reverse("integrations:endpoints"),
        reverse("integrations:endpoint", args=[hook.pk]),
        reverse("integrations:delivery", args=[hook.pk, delivery.pk]),
    ]
    actions = [
        reverse(name, args=[hook.pk])
        for name in (
            "integrations:resume",
            "integrations:ping",
            "integrations:rotate_secret",
            "integrations:delete",
        )
    ] + [reverse("integrations:redeliver", args=[hook.pk, delivery.pk])]
    for url in pages:
        assert client.get(url).status_code == 404, url
    for url in actions:
        assert client.post(url).status_code == 404, url
    assert (
        client.post(
            reverse("integrations:endpoints"), {"url": "https://x.example", "events": ["ping"]}
        ).status_code
        == 404
    )
    secret = hook.secret
    hook.refresh_from_db()
    assert hook.secret == secret and Delivery.objects.count() == 1 and WebhookEndpoint.objects.count() == 1


@pytest.mark.django_db
def test_admins_see_webhooks_in_the_django_admin(client, hook):
    from tests.conftest import make_user

    root = make_user("root", None, is_staff=True)
    root.is_superuser = True
    root.save()
    client.force_login(root)
    assert hook.url in client.get(reverse("admin:integrations_webhookendpoint_changelist")).content.decode()
    assert client.get(reverse("admin:integrations_delivery_changelist")).status_code == 200
