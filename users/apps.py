from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class UsersConfig(AppConfig):
    name = "users"

    def ready(self):
        from . import auth_cache
        from .models import User

        def forget(sender, instance, created=False, **kwargs):
            # A user just created cannot have an older row in the cache.
            if not created:
                auth_cache.forget_users([instance.pk])

        # weak=False: nothing else holds this function once ready() returns.
        post_save.connect(
            forget, sender=User, weak=False, dispatch_uid="users.forget_saved"
        )
        post_delete.connect(
            forget, sender=User, weak=False, dispatch_uid="users.forget_deleted"
        )
