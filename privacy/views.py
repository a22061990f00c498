"""Thin views: the privacy page (the team's policy, data downloads) and the export download."""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from privacy import selectors
from privacy.export import person_export_write


@login_required
@require_GET
def privacy_home(request):
    return render(
        request,
        "privacy/home.html",
        {
            "policy": selectors.policy_for_user(request.user),
            "people": selectors.people_for_admin() if request.user.is_staff else None,
        },
    )


@login_required
@require_GET
def person_export(request, person_id: int):
    """A rep downloads their own data, an admin anyone's; anyone else gets 404."""
    person = selectors.person_get_for_export(request.user, person_id)
    # An unnamed temporary file: gone from disk once the response has streamed and closed it.
    archive = tempfile.TemporaryFile(prefix="aizuchi-export-", dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
    try:
        person_export_write(person=person, out=archive, actor=request.user)
        archive.seek(0)
    except BaseException:
        archive.close()
        raise
    name = f"aizuchi-{person.get_username()}-{timezone.localdate():%Y%m%d}.zip"
    return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
