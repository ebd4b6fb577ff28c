"""IGDB records and `responses` helpers shared by the tests of games with IGDB."""

import json

API_URL = "https://igdb.test/v4"
TOKEN_URL = "https://twitch.test/oauth2/token"
IMAGES = "https://images.igdb.com/igdb/image/upload"
HOUR = 60 * 60
DAY = 24 * HOUR

# Dark Souls as IGDB answers Overworld's detail query.
DARK_SOULS = {
    "id": 2155,
    "name": "Dark Souls",
    "slug": "dark-souls",
    "summary": "An action role-playing game set in the dark fantasy kingdom Lordran.",
    "first_release_date": 1316649600,
    "cover": {"id": 83066, "image_id": "co2uro"},
    "genres": [{"id": 12, "name": "Role-playing (RPG)"}],
    "platforms": [
        {"id": 6, "name": "PC (Microsoft Windows)"},
        {"id": 9, "name": "PlayStation 3"},
    ],
    "screenshots": [
        {"id": 9613, "image_id": "sc8kj1"},
        {"id": 9614, "image_id": "sc8kj2"},
    ],
    "involved_companies": [
        {
            "id": 1567,
            "company": {"id": 1011, "name": "FromSoftware"},
            "developer": True,
            "publisher": False,
        },
        {
            "id": 1568,
            "company": {"id": 248, "name": "Namco Bandai Games"},
            "developer": False,
            "publisher": True,
        },
    ],
    "themes": [{"id": 1, "name": "Action"}, {"id": 17, "name": "Fantasy"}],
}


def token_answer(token: str, expires_in: int = 5_000_000) -> dict:
    return {"access_token": token, "expires_in": expires_in, "token_type": "bearer"}


def igdb_url(endpoint: str) -> str:
    return f"{API_URL}/{endpoint}"


def calls_to(mock, endpoint: str) -> list:
    """The requests `responses` saw for one IGDB endpoint, oldest first."""
    return [call for call in mock.calls if call.request.url == igdb_url(endpoint)]


def sent_queries(mock, endpoint: str) -> list[str]:
    return [call.request.body.decode() for call in calls_to(mock, endpoint)]


def token_requests(mock) -> list:
    return [call for call in mock.calls if call.request.url == TOKEN_URL]


def answer_ids(mock, endpoint: str, records: dict[int, dict]):
    """Answer IGDB queries `where id = (...)` with the records of those ids."""

    def callback(request):
        ids = request.body.decode().split("id = (")[1].split(")")[0].split(",")
        found = [records[int(igdb)] for igdb in ids if int(igdb) in records]
        return 200, {}, json.dumps(found)

    mock.add_callback("POST", igdb_url(endpoint), callback=callback)
