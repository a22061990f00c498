from django.urls import path

from coaching.workbench import views

app_name = "workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<slug:key>/", views.rule_edit, name="rule_edit"),
    path("rules/<slug:key>/delete/", views.rule_delete, name="rule_delete"),
    path("behaviours/new/", views.behaviour_edit, name="behaviour_new"),
    path("behaviours/<slug:key>/", views.behaviour_edit, name="behaviour_edit"),
    path("test/", views.sentence_tester, name="test"),
    path("preview/", views.preview_new, name="preview_new"),
    path("preview/<int:pk>/", views.preview_page, name="preview"),
    path("preview/<int:pk>/mark/", views.preview_mark_view, name="preview_mark"),
    path("preview/<int:pk>/cancel/", views.preview_cancel_view, name="preview_cancel"),
    path("publish/", views.publish, name="publish"),
    path("discard/", views.discard, name="discard"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("versions/", views.version_list, name="versions"),
    path("versions/<int:number>/restore/", views.version_restore, name="restore"),
    path("versions/<int:number>/export/", views.version_export, name="export"),
    path("draft/export/", views.draft_export, name="draft_export"),
    path("import/", views.pack_import_view, name="import"),
    path("accuracy/", views.accuracy, name="accuracy"),
    path("label/<int:pk>/", views.label_meeting, name="label"),
    path("audit/", views.audit, name="audit"),
    path("detector/", views.detector_page, name="detector"),
    path("detector/train/", views.detector_train, name="detector_train"),
    path("detector/<int:number>/publish/", views.detector_publish, name="detector_publish"),
    path("detector/base/", views.detector_use_base, name="detector_use_base"),
]
