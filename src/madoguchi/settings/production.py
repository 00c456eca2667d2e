"""Production: everything comes from the environment (see .env.example)."""

import os

os.environ.setdefault("SECURE_COOKIES", "true")

from .base import *  # noqa: F403
