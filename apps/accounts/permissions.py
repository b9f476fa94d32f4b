from rest_framework.permissions import BasePermission

from .models import Role


class IsPatient(BasePermission):
    message = "Only patients can do this."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.role == Role.PATIENT
        )


class IsPhysio(BasePermission):
    message = "Only physiotherapists can do this."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user and request.user.is_authenticated and request.user.role == Role.PHYSIO
        )


class IsPatientOrPhysio(BasePermission):
    message = "Only patients and physiotherapists can do this."

    def has_permission(self, request, view) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.role in (Role.PATIENT, Role.PHYSIO)
        )
