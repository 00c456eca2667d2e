"""Production: everything comes from the environment (see .env.example)."""

import os

os.environ.setdefault("SECURE_COOKIES", "true")
# One year of HSTS once the site is reached over HTTPS (set 0 to turn it off).
os.environ.setdefault("SECURE_HSTS_SECONDS", "31536000")

from .base import *  # noqa: F403
