from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save


class UsersConfig(AppConfig):
    name = "users"

    def ready(self):
        from . import auth_cache
        from .models import User

        def forget(sender, instance, created=False, **kwargs):
            # A user just created cannot have an older row in the cache.
            if not created and not instance._state.adding:
                auth_cache.forget_users([instance.pk])

        # Before the change, so that a cache that cannot be told stops the change
        # (outside a transaction, a save is committed before post_save is sent), and
        # after it, for a request that read the old row in between.
        # weak=False: nothing else holds this function once ready() returns.
        for signal, uid in [
            (pre_save, "users.forget_saving"),
            (post_save, "users.forget_saved"),
            (pre_delete, "users.forget_deleting"),
            (post_delete, "users.forget_deleted"),
        ]:
            signal.connect(forget, sender=User, weak=False, dispatch_uid=uid)
