import os

from django.core.wsgi import get_wsgi_application

from safeguard.warm import freeze_what_is_loaded

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings")
application = get_wsgi_application()
freeze_what_is_loaded()
