from rest_framework import permissions


class IsAuthorOrReadOnly(permissions.BasePermission):
    message = "Only the author of this journal entry may change it."

    def has_object_permission(self, request, view, obj):
        return (
            request.method in permissions.SAFE_METHODS or obj.user_id == request.user.pk
        )
