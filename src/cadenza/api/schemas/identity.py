"""Identity and authorization DTOs (``UserProfileDto``, ``UserCredentialsDto``, ``GroupDto``,
``TenantDto``, ``GroupInfoDto``, ``AuthorizationDto``, ``AuthorizationCheckResultDto``)."""

from __future__ import annotations

from cadenza.services import Authorization, AuthorizationCheck, Group, GroupInfo, Tenant, User

from .common import CamelModel, date_out

__all__ = [
    "AuthenticationResultDto",
    "AuthorizationCheckResultDto",
    "AuthorizationCreateDto",
    "AuthorizationDto",
    "AuthorizationUpdateDto",
    "GroupDto",
    "GroupInfoDto",
    "TenantDto",
    "UserCreateDto",
    "UserCredentialsDto",
    "UserProfileDto",
    "VerifyDto",
    "authorization_dto",
    "group_info_dto",
]


class UserProfileDto(CamelModel):
    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None

    @classmethod
    def of(cls, user: User) -> UserProfileDto:
        return cls(id=user.id, first_name=user.first_name, last_name=user.last_name, email=user.email)


class UserCredentialsDto(CamelModel):
    password: str | None = None
    authenticated_user_password: str | None = None


class UserCreateDto(CamelModel):
    profile: UserProfileDto | None = None
    credentials: UserCredentialsDto | None = None


class GroupDto(CamelModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None

    @classmethod
    def of(cls, group: Group) -> GroupDto:
        return cls(id=group.id, name=group.name, type=group.type)


class TenantDto(CamelModel):
    id: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, tenant: Tenant) -> TenantDto:
        return cls(id=tenant.id, name=tenant.name)


class GroupInfoGroupDto(CamelModel):
    id: str
    name: str | None


class GroupInfoUserDto(CamelModel):
    id: str
    first_name: str | None
    last_name: str | None
    display_name: str


class GroupInfoDto(CamelModel):
    groups: list[GroupInfoGroupDto]
    group_users: list[GroupInfoUserDto]


def group_info_dto(info: GroupInfo) -> GroupInfoDto:
    def display(user: User) -> str:
        name = " ".join(part for part in (user.first_name, user.last_name) if part)
        return name or user.id

    return GroupInfoDto(
        groups=[GroupInfoGroupDto(id=g.id, name=g.name) for g in info.groups],
        group_users=[
            GroupInfoUserDto(id=u.id, first_name=u.first_name, last_name=u.last_name, display_name=display(u))
            for u in info.group_users
        ],
    )


class VerifyDto(CamelModel):
    username: str | None = None
    password: str | None = None


class AuthenticationResultDto(CamelModel):
    authenticated_user: str | None
    authenticated: bool


class AuthorizationCreateDto(CamelModel):
    type: int = 0
    permissions: list[str] | None = None
    user_id: str | None = None
    group_id: str | None = None
    resource_type: int | None = None
    resource_id: str | None = None


class AuthorizationUpdateDto(CamelModel):
    permissions: list[str] | None = None
    user_id: str | None = None
    group_id: str | None = None
    resource_type: int | None = None
    resource_id: str | None = None


class AuthorizationDto(CamelModel):
    id: str
    type: int
    permissions: list[str]
    user_id: str | None
    group_id: str | None
    resource_type: int
    resource_id: str
    removal_time: str | None
    root_process_instance_id: str | None


def authorization_dto(authorization: Authorization) -> AuthorizationDto:
    return AuthorizationDto(
        id=authorization.id,
        type=authorization.type,
        permissions=authorization.permissions,
        user_id=authorization.user_id,
        group_id=authorization.group_id,
        resource_type=authorization.resource_type,
        resource_id=authorization.resource_id,
        removal_time=date_out(authorization.removal_time),
        root_process_instance_id=authorization.root_process_instance_id,
    )


class AuthorizationCheckResultDto(CamelModel):
    permission_name: str
    resource_name: str
    resource_id: str | None
    authorized: bool

    @classmethod
    def of(cls, result: AuthorizationCheck) -> AuthorizationCheckResultDto:
        return cls(
            permission_name=result.permission_name,
            resource_name=result.resource_name,
            resource_id=result.resource_id,
            authorized=result.authorized,
        )
