"""Django permissions granted by role, for apps below accounts that may not import it.

A lower app (content) declares a permission on its model and asks `user.has_perm(...)`;
which role holds it is decided here, next to the roles. Editors' permissions come from the
editors group instead (services.editors_group_sync), since staff may change those in the
admin; these follow the role and nothing else.
"""

from django.contrib.auth.backends import BaseBackend

from .models import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Write exercises of their own and upload their pictures and videos (content).
    Role.PHYSIO: frozenset({"content.write_own_exercise"}),
}


class RolePermissionBackend(BaseBackend):
    """Authenticates nobody; answers has_perm for an active user's role."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), ()))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
