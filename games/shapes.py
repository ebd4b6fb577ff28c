"""The answers of /api/games/, built from IGDB-shaped records.

A record is a game as IGDB's v4 API returns it (`id` is the IGDB id, dates are Unix
timestamps, images are objects with an `image_id`, expanded fields are nested). Records
come from IGDB itself or from the local catalog; either way every answer gets the same
keys, with null or [] for what is not known, and every image a ready `url`. Values
of the wrong type (IGDB answering nonsense) are dropped as unknown.
"""

import math
import re

IMAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
IMAGE_URL = "https://images.igdb.com/igdb/image/upload/{size}/{image_id}.jpg"
COVER_SIZE = "t_cover_big"
SCREENSHOT_SIZE = "t_screenshot_big"


def text(value) -> str | None:
    return value if isinstance(value, str) else None


def integer(value) -> int | None:
    return value if type(value) is int else None


def number(value) -> int | float | None:
    if type(value) is float and math.isfinite(value):
        return value
    return integer(value)


def image(value, size: str) -> dict | None:
    if not isinstance(value, dict):
        return None
    image_id = text(value.get("image_id"))
    if image_id is None or not IMAGE_ID.fullmatch(image_id):
        return None
    return {
        "id": integer(value.get("id")),
        "image_id": image_id,
        "url": IMAGE_URL.format(size=size, image_id=image_id),
    }


def images(values, size: str) -> list[dict]:
    shaped = (image(value, size) for value in listed(values))
    return [value for value in shaped if value is not None]


def listed(values) -> list:
    return values if isinstance(values, list) else []


def named(values) -> list[dict]:
    """Expanded references such as genres: [{"id", "name"}]."""
    return [
        {"id": integer(value.get("id")), "name": text(value.get("name"))}
        for value in listed(values)
        if isinstance(value, dict)
    ]


def company(involvement: dict) -> dict:
    maker = involvement.get("company")
    return {
        "id": integer(involvement.get("id")),
        "company": named([maker])[0] if isinstance(maker, dict) else None,
        "developer": bool(involvement.get("developer")),
        "publisher": bool(involvement.get("publisher")),
    }


def game_summary(record: dict) -> dict:
    return {
        "id": record["id"],
        "name": text(record.get("name")),
        "slug": text(record.get("slug")),
        "first_release_date": integer(record.get("first_release_date")),
        "cover": image(record.get("cover"), COVER_SIZE),
    }


def game_detail(record: dict) -> dict:
    return {
        **game_summary(record),
        "summary": text(record.get("summary")) or None,
        "genres": named(record.get("genres")),
        "platforms": named(record.get("platforms")),
        "screenshots": images(record.get("screenshots"), SCREENSHOT_SIZE),
        "involved_companies": [
            company(involvement)
            for involvement in listed(record.get("involved_companies"))
            if isinstance(involvement, dict)
        ],
        "themes": named(record.get("themes")),
    }


def game_backdrop(record: dict) -> dict:
    return {
        "id": record["id"],
        "name": text(record.get("name")),
        "slug": text(record.get("slug")),
        "screenshots": images(record.get("screenshots"), SCREENSHOT_SIZE),
    }


def popular_game(record: dict, popularity) -> dict:
    return {**game_summary(record), "popularity": number(popularity)}
