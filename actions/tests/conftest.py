import datetime

import pytest
from django.utils import timezone

from games.tests.factories import GameFactory

# A little before midnight UTC on the last day of a leap February: "tomorrow" is
# 2024-02-29 and the day after it is in another month.
FROZEN_NOW = datetime.datetime(2024, 2, 28, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def game(db):
    return GameFactory()


@pytest.fixture
def frozen_now(monkeypatch):
    """Stop Django's clock at FROZEN_NOW."""
    monkeypatch.setattr(timezone, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW
