import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from games.catalog import DEFAULT_CATALOG, read_dump, upsert_games


class Command(BaseCommand):
    help = (
        "Insert or refresh games from an IGDB-shaped dump (a JSON array or JSON "
        "lines). Without FILE, loads the catalog that ships with Overworld."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_CATALOG)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            # All or nothing: a dump found broken halfway leaves the catalog as it was.
            with transaction.atomic():
                upserted, skipped = upsert_games(read_dump(file))
        except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{file} is not an IGDB JSON dump: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {upserted} games from {file}")
            + (f" ({skipped} records skipped)" if skipped else "")
        )
