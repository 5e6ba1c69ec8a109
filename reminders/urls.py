from django.urls import path

from reminders import views

urlpatterns = [
    path("settings/reminders/", views.reminder_settings_save, name="reminder_settings"),
    path("settings/reminders/test/", views.test_notification, name="reminder_test"),
]
