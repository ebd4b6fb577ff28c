"""The README's curl walk-through, run verbatim against a live server."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from actions.models import JournalEntry, Liked, Played, Rating, Wishlist
from users.models import Follow, User

README = Path(__file__).resolve().parents[2] / "README.md"
README_URL = "http://127.0.0.1:8000"


def walkthrough_script() -> str:
    text = README.read_text()
    section = text.split("## A walk through the API", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL))


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_readme_walkthrough_works_as_printed(live_server):
    call_command("load_catalog", verbosity=0)
    script = walkthrough_script().replace(README_URL, live_server.url)

    run = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stdout and '"detail"' not in run.stdout, run.stdout
    ada = User.objects.get(username="ada")
    assert Liked.objects.filter(user=ada, game_id=2155).exists()
    assert Wishlist.objects.filter(user=ada, game_id=1877).exists()
    assert Played.objects.filter(user=ada, game_id=26226).exists()
    assert list(
        JournalEntry.objects.filter(user=ada).order_by("id").values_list("id", "review")
    ) == [(1, "still a cool game"), (2, "")]
    assert Rating.objects.get(user=ada, game_id=431).rating == 6
    assert Follow.objects.filter(follower__username="grace", followed=ada).exists()
    assert (ada.bio, ada.twitter) == ("Wrote the first program.", "ada")
    # The three DELETEs print their status at the end of a line; a timestamp's
    # microseconds may hold "204" too.
    assert len(re.findall(r"(?<![0-9])204$", run.stdout, re.MULTILINE)) == 3, run.stdout
