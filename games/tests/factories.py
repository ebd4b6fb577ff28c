import datetime

import factory

from games.models import Game


class GameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Game
        django_get_or_create = ["igdb"]

    igdb = factory.Sequence(lambda n: 100_000 + n)
    name = factory.Sequence(lambda n: f"Test Game {n}")
    slug = factory.LazyAttribute(lambda game: f"test-game-{game.igdb}")
    cover_id = factory.Sequence(lambda n: f"co{n:04d}")
    first_release_date = datetime.date(2018, 4, 20)
