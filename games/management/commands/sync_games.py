import logging
import math

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from games import catalog, igdb
from games.models import Game
from games.sources import DETAIL_FIELDS

logger = logging.getLogger(__name__)

# IGDB answers at most 500 records per query.
BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Refresh every game in the database from IGDB, in batches of up to 500 ids "
        "within IGDB's rate limit. Needs IGDB_CLIENT_ID and IGDB_CLIENT_SECRET."
    )

    def handle(self, *args, **options):
        if not igdb.is_configured():
            raise CommandError("Set IGDB_CLIENT_ID and IGDB_CLIENT_SECRET first.")
        client = igdb.get_client()
        # A list, not a cursor: the loop writes to the table it would be reading.
        ids = list(Game.objects.order_by("pk").values_list("pk", flat=True))
        total = len(ids)

        refreshed = missing = failed = 0
        progress = tqdm(
            catalog.batches(ids, BATCH_SIZE),
            total=math.ceil(total / BATCH_SIZE),
            desc="Syncing games",
            unit=" batches",
            disable=None,
        )
        for batch in progress:
            try:
                records = fetch(client, batch)
            except igdb.IGDBError as error:
                logger.warning("sync batch of %s games failed: %s", len(batch), error)
                failed += len(batch)
                continue
            upserted, _ = catalog.upsert_games(records)
            refreshed += upserted
            missing += len(batch) - upserted

        summary = (
            f"{total} games: {refreshed} refreshed, {missing} not found on IGDB, "
            f"{failed} failed"
        )
        logger.info("sync finished: %s", summary)
        if failed:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


def fetch(client: igdb.IGDBClient, batch: list[int]) -> list[dict]:
    """IGDB's records for a batch of ids, waiting out any cool-down after a 429.

    A batch job can afford to wait, and without waiting one 429 would fail every
    batch that follows within the cool-down.
    """
    body = igdb.apicalypse(fields=DETAIL_FIELDS, ids=batch, limit=len(batch))
    try:
        return client.query("games", body, wait=True)
    except igdb.IGDBError:
        if not client.cooldown_remaining():
            raise
    return client.query("games", body, wait=True)
