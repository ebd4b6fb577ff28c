import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from games.catalog import CATALOG_FIELDS, DEFAULT_CATALOG, read_dump, upsert_games

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Insert or refresh games from an IGDB-shaped dump (a JSON array or JSON "
        "lines), streamed in bounded memory. Without FILE, loads the catalog that "
        "ships with Overworld."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_CATALOG)
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Only insert games that are not in the database yet; leave the "
            "others (perhaps refreshed from IGDB since) as they are.",
        )

    def handle(self, *args, file: Path, keep_existing: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        records = tqdm(
            read_dump(file), desc="Loading games", unit=" games", disable=None
        )
        try:
            # All or nothing: a dump found broken halfway leaves the catalog as it was.
            with transaction.atomic():
                upserted, skipped = upsert_games(
                    records, fields=() if keep_existing else CATALOG_FIELDS
                )
        except ValueError as error:
            raise CommandError(f"{file} is not an IGDB JSON dump: {error}") from error
        finally:
            records.close()

        logger.info("catalog loaded: %s games, %s records skipped", upserted, skipped)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {upserted} games from {file}")
            + (f" ({skipped} records skipped)" if skipped else "")
        )
