from django.urls import path

from clinical import views

urlpatterns = [
    path("questionnaires/", views.questionnaire_list, name="questionnaire_list"),
    # One address per questionnaire, so that each can be kept for use offline.
    path("questionnaires/rmdq/", views.questionnaire_answer, {"key": "rmdq"}, name="questionnaire_rmdq"),
    path("questionnaires/psfs/", views.questionnaire_answer, {"key": "psfs"}, name="questionnaire_psfs"),
    path(
        "questionnaires/pain-7d/",
        views.questionnaire_answer,
        {"key": "pain_7d"},
        name="questionnaire_pain_7d",
    ),
    path("questionnaires/schedules/", views.questionnaire_schedules, name="questionnaire_schedules"),
    path("questionnaires/<uuid:pk>/delete/", views.response_delete, name="questionnaire_response_delete"),
    path("treatments/", views.treatment_list, name="treatment_list"),
    path("treatments/<uuid:pk>/edit/", views.treatment_edit, name="treatment_edit"),
    path("treatments/<uuid:pk>/delete/", views.treatment_delete, name="treatment_delete"),
]
