"""WSGI entry point (gunicorn madoguchi.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings.production")
application = get_wsgi_application()
