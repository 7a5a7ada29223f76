"""Print the head of the sealed chain as JSON, to keep outside the system for audit_verify --anchor."""

from django.core.management.base import BaseCommand

from audit.chain import chain_anchor


class Command(BaseCommand):
    help = "Print the sealed chain's head (count, last chain_seq, last id, last hash) as JSON."

    def handle(self, *args, **options) -> None:
        self.stdout.write(chain_anchor().to_json())
