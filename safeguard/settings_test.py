"""Test settings: speed-ups and isolation only; nothing here changes behaviour a user would see."""

import os
import tempfile
from pathlib import Path

from safeguard.settings import *  # noqa: F403
from safeguard.settings import CELERY_BROKER_TRANSPORT_OPTIONS, REDIS_URL, STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Each test process (pytest-xdist runs several) keeps its files and its queue to itself.
TEST_TMP = Path(tempfile.mkdtemp(prefix="vigil-test-"))
STORAGES["attachments"]["OPTIONS"]["location"] = str(TEST_TMP / "attachments")
STORAGES["default"] = STORAGES["attachments"]
CELERY_TASK_DEFAULT_QUEUE = f"vigil-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
if not REDIS_URL:
    for folder in ("out", "processed", "control"):
        (TEST_TMP / "celery" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(TEST_TMP / "celery" / "out"),
        data_folder_out=str(TEST_TMP / "celery" / "out"),
        processed_folder=str(TEST_TMP / "celery" / "processed"),
        control_folder=str(TEST_TMP / "celery" / "control"),
    )

# A file, not SQLite's shared in-memory database: that one locks whole tables and ignores the
# busy timeout, so it cannot show how concurrent requests behave on SQLite.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_TMP / "test.sqlite3")}  # noqa: F405
