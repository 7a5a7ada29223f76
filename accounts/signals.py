"""Signals accounts sends about its own records, for apps that depend on it to act on.

accounts never imports concerns (DESIGN.md section 4), yet a concern's review deadline is computed
from its site's hours: so a change to them is announced here, and concerns recomputes its deadlines
in its own service, inside the same transaction as the change.
"""

from django.dispatch import Signal

# Sent with site= and actor= when a site's working days, hours, cut-off or holidays change.
site_hours_changed = Signal()
