"""The answers of /api/games/, built from IGDB-shaped records.

A record is a game as IGDB's v4 API returns it (`id` is the IGDB id, dates are Unix
timestamps, images are objects with an `image_id`, expanded fields are nested). Records
come from IGDB itself or from the local catalog; either way every answer gets the same
keys, with null or [] for what is not known, and every image a ready `url`.
"""

IMAGE_URL = "https://images.igdb.com/igdb/image/upload/{size}/{image_id}.jpg"
COVER_SIZE = "t_cover_big"
SCREENSHOT_SIZE = "t_screenshot_big"


def image(value, size: str) -> dict | None:
    if not isinstance(value, dict) or not isinstance(value.get("image_id"), str):
        return None
    image_id = value["image_id"]
    return {
        "id": value.get("id"),
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
        {"id": value.get("id"), "name": value.get("name")}
        for value in listed(values)
        if isinstance(value, dict)
    ]


def company(involvement: dict) -> dict:
    maker = involvement.get("company")
    return {
        "id": involvement.get("id"),
        "company": named([maker])[0] if isinstance(maker, dict) else None,
        "developer": bool(involvement.get("developer")),
        "publisher": bool(involvement.get("publisher")),
    }


def game_summary(record: dict) -> dict:
    return {
        "id": record["id"],
        "name": record.get("name"),
        "slug": record.get("slug"),
        "first_release_date": record.get("first_release_date"),
        "cover": image(record.get("cover"), COVER_SIZE),
    }


def game_detail(record: dict) -> dict:
    return {
        **game_summary(record),
        "summary": record.get("summary") or None,
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
        "name": record.get("name"),
        "slug": record.get("slug"),
        "screenshots": images(record.get("screenshots"), SCREENSHOT_SIZE),
    }


def popular_game(record: dict, popularity) -> dict:
    return {**game_summary(record), "popularity": popularity}
