"""Webhook pages for admins (Django staff); for everyone else they do not exist (404)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integrations import selectors, services, signing
from integrations.forms import EndpointForm
from integrations.models import WebhookEndpoint


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _form_errors(form: EndpointForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Endpoint added. Its signing secret is shown below."))
            return redirect(reverse("integrations:endpoint", args=[endpoint.pk]) + "?created=1")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "integrations/endpoint_list.html",
        {"endpoints": selectors.endpoint_list(), "form": form},
        status=status,
    )


@staff_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.endpoint_get(pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Endpoint saved."))
            return redirect("integrations:endpoint", endpoint.pk)
    return render(
        request,
        "integrations/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "deliveries": selectors.deliveries_recent(endpoint),
            "show_secret": request.GET.get("created") == "1",
            "signature_header": signing.HEADER,
            "replay_window": signing.REPLAY_WINDOW_SECONDS,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def endpoint_resume(request: HttpRequest, pk: int) -> HttpResponse:
    services.endpoint_resume(endpoint=selectors.endpoint_get(pk))
    messages.success(request, _("Endpoint resumed: new events are delivered again."))
    return redirect("integrations:endpoint", pk)


@staff_required
@require_POST
def endpoint_ping(request: HttpRequest, pk: int) -> HttpResponse:
    services.ping_send(endpoint=selectors.endpoint_get(pk))
    messages.success(request, _("Test event queued; it appears in the deliveries below."))
    return redirect("integrations:endpoint", pk)


@staff_required
@require_POST
def endpoint_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    services.endpoint_rotate_secret(endpoint=selectors.endpoint_get(pk))
    messages.success(request, _("New secret made: deliveries from now on are signed with it."))
    return redirect("integrations:endpoint", pk)


@staff_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.endpoint_get(pk).delete()
    messages.success(request, _("Endpoint deleted."))
    return redirect("integrations:endpoints")


@staff_required
def delivery_detail(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint: WebhookEndpoint = selectors.endpoint_get(pk)
    delivery = selectors.delivery_get(endpoint, delivery_pk)
    return render(
        request,
        "integrations/delivery_detail.html",
        {
            "endpoint": endpoint,
            "delivery": delivery,
            "attempts": delivery.attempt_log.all(),
            "body": json.dumps(delivery.payload, ensure_ascii=False, indent=2),
        },
    )


@staff_required
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = selectors.delivery_get(selectors.endpoint_get(pk), delivery_pk)
    again = services.delivery_redeliver(delivery=delivery)
    messages.success(request, _("Delivery queued again."))
    return redirect("integrations:delivery", pk, again.pk)
