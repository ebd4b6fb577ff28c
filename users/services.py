from django.db import IntegrityError, transaction
from rest_framework.exceptions import ValidationError

from .models import Follow, User


def follow_set(*, follower: User, followed: User, following: bool) -> None:
    """Follow or unfollow; doing either twice leaves the same single row or none."""
    if following:
        Follow.objects.bulk_create(
            [Follow(follower=follower, followed=followed)], ignore_conflicts=True
        )
    else:
        Follow.objects.filter(follower=follower, followed=followed).delete()


def profile_update(*, user: User, changes: dict) -> User:
    """Change the profile fields given; the email stays unique even under races."""
    for field, value in changes.items():
        setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(changes))
    except IntegrityError as error:
        raise ValidationError(
            {"email": ["A user with that email already exists."]}
        ) from error
    return user
