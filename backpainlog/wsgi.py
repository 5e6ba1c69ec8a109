"""WSGI entry point (gunicorn backpainlog.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpainlog.settings")

application = get_wsgi_application()
