"""Helpers shared by the actions tests."""

import json

from actions.models import Backlog, JournalEntry, Liked, Played, Rating, Wishlist
from games.models import Game

# Every table an actions endpoint writes to.
WRITTEN_MODELS = (Game, Played, Liked, Backlog, Wishlist, Rating, JournalEntry)


def row_counts() -> dict[str, int]:
    """How many rows each written table holds, by model name."""
    return {model.__name__: model.objects.count() for model in WRITTEN_MODELS}


def send_json(client, method: str, url: str, payload):
    """Send `payload` as a JSON body, escaped as json.dumps does.

    The APIClient's own renderer writes raw UTF-8 and cannot encode a lone surrogate;
    json.dumps writes it as the \\ud800 escape a real client would send.
    """
    return send_raw(client, method, url, json.dumps(payload))


def send_raw(client, method: str, url: str, body: str | bytes):
    """Send `body` unchanged with a JSON content type."""
    return client.generic(method.upper(), url, body, content_type="application/json")
