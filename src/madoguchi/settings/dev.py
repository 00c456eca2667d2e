"""Developer and demo defaults: only pre-sets environment values, then loads base.

DEBUG stays off here too: the demo is what a municipality tries first, and with DEBUG on Django
shows its technical error pages instead of the product's own (tenancy/views.py). A developer who
wants the technical pages sets DEBUG=true. Static files are served from the apps' folders
(no collectstatic step for the demo).
"""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("WHITENOISE_USE_FINDERS", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-not-secret")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")

from .base import *  # noqa: F403
