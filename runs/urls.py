from django.urls import path

from runs import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("definitions/", views.definitions_page, name="definitions"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/new/", views.run_new, name="run_new"),
    path("runs/<uuid:pk>/edit/", views.run_edit, name="run_edit"),
    path("runs/<uuid:pk>/delete/", views.run_delete, name="run_delete"),
    path("runs/<uuid:pk>/next-morning/", views.run_next_morning, name="run_next_morning"),
    path("pain/", views.checkin_list, name="checkin_list"),
    path("pain/new/", views.checkin_new, name="checkin_new"),
    path("pain/<uuid:pk>/edit/", views.checkin_edit, name="checkin_edit"),
    path("pain/<uuid:pk>/delete/", views.checkin_delete, name="checkin_delete"),
]
