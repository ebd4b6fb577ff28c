import datetime

import factory

from actions.models import Backlog, JournalEntry, Liked, Played, Rating, Wishlist
from games.tests.factories import GameFactory
from users.tests.factories import UserFactory


class RelationFactory(factory.django.DjangoModelFactory):
    user = factory.SubFactory(UserFactory)
    game = factory.SubFactory(GameFactory)


class PlayedFactory(RelationFactory):
    class Meta:
        model = Played


class LikedFactory(RelationFactory):
    class Meta:
        model = Liked


class BacklogFactory(RelationFactory):
    class Meta:
        model = Backlog


class WishlistFactory(RelationFactory):
    class Meta:
        model = Wishlist


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    user = factory.SubFactory(UserFactory)
    game = factory.SubFactory(GameFactory)
    rating = 7


class JournalEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JournalEntry

    user = factory.SubFactory(UserFactory)
    game = factory.SubFactory(GameFactory)
    date = datetime.date(2019, 7, 1)
    review = "cool game"
