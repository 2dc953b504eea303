"""``/user``, ``/group``, ``/tenant``, ``/identity``: Camunda's shapes, status codes and error
bodies (authentication off: everybody may do everything)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .helpers import BASE, assert_error, assert_json


def _create_user(client: TestClient, user_id: str, password: str = "s3cret", **profile: str) -> None:
    body = {"profile": {"id": user_id, **profile}, "credentials": {"password": password}}
    response = client.post(f"{BASE}/user/create", json=body)
    assert response.status_code == 204, response.text


def test_create_user_then_read_update_and_list(client: TestClient) -> None:
    _create_user(client, "jonny", firstName="John", lastName="Doe", email="john@example.org")
    _create_user(client, "mary", firstName="Mary", lastName="Major")
    profile = assert_json(client.get(f"{BASE}/user/jonny/profile"))
    assert profile == {"id": "jonny", "firstName": "John", "lastName": "Doe", "email": "john@example.org"}
    response = client.put(
        f"{BASE}/user/jonny/profile", json={"id": "jonny", "firstName": "Jon", "email": None}
    )
    assert response.status_code == 204
    assert assert_json(client.get(f"{BASE}/user/jonny/profile"))["firstName"] == "Jon"
    users = assert_json(client.get(f"{BASE}/user", params={"sortBy": "userId", "sortOrder": "desc"}))
    assert [u["id"] for u in users] == ["mary", "jonny"]
    assert assert_json(client.get(f"{BASE}/user/count", params={"firstNameLike": "M%"})) == {"count": 1}
    assert [u["id"] for u in assert_json(client.get(f"{BASE}/user", params={"idIn": "jonny,x"}))] == ["jonny"]


def test_password_hash_is_never_shown_and_verify_checks_it(client: TestClient) -> None:
    _create_user(client, "jonny", "pw-1")
    assert "password" not in str(assert_json(client.get(f"{BASE}/user/jonny/profile")))
    ok = assert_json(client.post(f"{BASE}/identity/verify", json={"username": "jonny", "password": "pw-1"}))
    assert ok == {"authenticatedUser": "jonny", "authenticated": True}
    bad = assert_json(client.post(f"{BASE}/identity/verify", json={"username": "jonny", "password": "nope"}))
    assert bad == {"authenticatedUser": "jonny", "authenticated": False}
    unknown = assert_json(
        client.post(f"{BASE}/identity/verify", json={"username": "ghost", "password": "pw-1"})
    )
    assert unknown["authenticated"] is False
    assert_error(
        client.post(f"{BASE}/identity/verify", json={"username": "jonny"}), 400, "InvalidRequestException"
    )


def test_change_credentials(client: TestClient) -> None:
    _create_user(client, "jonny", "old-pw")
    response = client.put(f"{BASE}/user/jonny/credentials", json={"password": "new-pw"})
    assert response.status_code == 204
    verify = client.post(f"{BASE}/identity/verify", json={"username": "jonny", "password": "new-pw"})
    assert assert_json(verify)["authenticated"] is True
    assert_error(
        client.put(f"{BASE}/user/ghost/credentials", json={"password": "x"}), 404, "InvalidRequestException"
    )
    assert_error(client.put(f"{BASE}/user/jonny/credentials", json={}), 400, "InvalidRequestException")


def test_user_errors(client: TestClient) -> None:
    _create_user(client, "jonny")
    assert_error(
        client.get(f"{BASE}/user/ghost/profile"),
        404,
        "InvalidRequestException",
        "User with id ghost does not exist",
    )
    dup = client.post(f"{BASE}/user/create", json={"profile": {"id": "jonny"}})
    assert_error(dup, 400, "InvalidRequestException")
    bad_id = client.post(f"{BASE}/user/create", json={"profile": {"id": "bad id!"}})
    assert_error(bad_id, 400, "BadUserRequestException")
    assert_error(client.post(f"{BASE}/user/create", json={}), 400, "InvalidRequestException")
    assert_error(client.post(f"{BASE}/user/create", json={"profile": "x"}), 400, "InvalidRequestException")
    assert_error(client.put(f"{BASE}/user/ghost/profile", json={}), 404, "InvalidRequestException")
    assert_error(client.delete(f"{BASE}/user/ghost"), 404, "InvalidRequestException")
    assert client.delete(f"{BASE}/user/jonny").status_code == 204
    assert assert_json(client.get(f"{BASE}/user/count")) == {"count": 0}


def test_groups_and_memberships(client: TestClient) -> None:
    _create_user(client, "jonny", firstName="John", lastName="Doe")
    _create_user(client, "mary")
    for group_id, name in (("sales", "Sales"), ("accounting", "Accounting")):
        response = client.post(
            f"{BASE}/group/create", json={"id": group_id, "name": name, "type": "WORKFLOW"}
        )
        assert response.status_code == 204
    assert assert_json(client.get(f"{BASE}/group/sales")) == {
        "id": "sales",
        "name": "Sales",
        "type": "WORKFLOW",
    }
    assert client.put(f"{BASE}/group/sales", json={"name": "Sales EU"}).status_code == 204
    assert assert_json(client.get(f"{BASE}/group/sales"))["name"] == "Sales EU"
    assert client.put(f"{BASE}/group/sales/members/jonny").status_code == 204
    assert client.put(f"{BASE}/group/sales/members/jonny").status_code == 204  # idempotent
    assert client.put(f"{BASE}/group/sales/members/mary").status_code == 204
    assert [g["id"] for g in assert_json(client.get(f"{BASE}/group", params={"member": "jonny"}))] == [
        "sales"
    ]
    assert assert_json(client.get(f"{BASE}/user/count", params={"memberOfGroup": "sales"})) == {"count": 2}
    info = assert_json(client.get(f"{BASE}/identity/groups", params={"userId": "mary"}))
    assert info == {
        "groups": [{"id": "sales", "name": "Sales EU"}],
        "groupUsers": [{"id": "jonny", "firstName": "John", "lastName": "Doe", "displayName": "John Doe"}],
    }
    assert_error(client.get(f"{BASE}/identity/groups"), 400, "InvalidRequestException")
    assert client.delete(f"{BASE}/group/sales/members/mary").status_code == 204
    assert assert_json(client.get(f"{BASE}/user/count", params={"memberOfGroup": "sales"})) == {"count": 1}
    assert_error(client.put(f"{BASE}/group/sales/members/ghost"), 404, "InvalidRequestException")
    assert_error(client.put(f"{BASE}/group/ghost/members/mary"), 404, "InvalidRequestException")
    assert_error(
        client.get(f"{BASE}/group/ghost"),
        404,
        "InvalidRequestException",
        "Group with id ghost does not exist",
    )
    assert_error(client.post(f"{BASE}/group/create", json={"id": "sales"}), 400, "InvalidRequestException")
    assert client.delete(f"{BASE}/group/sales").status_code == 204
    assert assert_json(client.get(f"{BASE}/group/count")) == {"count": 1}
    assert_error(client.delete(f"{BASE}/group/sales"), 404, "InvalidRequestException")


def test_tenants_and_memberships(client: TestClient) -> None:
    _create_user(client, "jonny")
    client.post(f"{BASE}/group/create", json={"id": "sales"})
    client.put(f"{BASE}/group/sales/members/jonny")
    assert client.post(f"{BASE}/tenant/create", json={"id": "t1", "name": "Tenant One"}).status_code == 204
    assert client.post(f"{BASE}/tenant/create", json={"id": "t2", "name": "Tenant Two"}).status_code == 204
    assert assert_json(client.get(f"{BASE}/tenant/t1")) == {"id": "t1", "name": "Tenant One"}
    assert client.put(f"{BASE}/tenant/t1", json={"name": "First"}).status_code == 204
    assert client.put(f"{BASE}/tenant/t1/user-members/jonny").status_code == 204
    assert client.put(f"{BASE}/tenant/t2/group-members/sales").status_code == 204
    direct = assert_json(client.get(f"{BASE}/tenant", params={"userMember": "jonny"}))
    assert [t["id"] for t in direct] == ["t1"]
    with_groups = client.get(
        f"{BASE}/tenant", params={"userMember": "jonny", "includingGroupsOfUser": "true"}
    )
    assert [t["id"] for t in assert_json(with_groups)] == ["t1", "t2"]
    assert assert_json(client.get(f"{BASE}/user/count", params={"memberOfTenant": "t1"})) == {"count": 1}
    assert assert_json(client.get(f"{BASE}/group/count", params={"memberOfTenant": "t2"})) == {"count": 1}
    assert client.delete(f"{BASE}/tenant/t1/user-members/jonny").status_code == 204
    assert client.delete(f"{BASE}/tenant/t2/group-members/sales").status_code == 204
    assert assert_json(client.get(f"{BASE}/tenant/count", params={"userMember": "jonny"})) == {"count": 0}
    assert_error(client.get(f"{BASE}/tenant/ghost"), 404, "InvalidRequestException")
    assert_error(client.put(f"{BASE}/tenant/t1/user-members/ghost"), 404, "InvalidRequestException")
    assert client.delete(f"{BASE}/tenant/t1").status_code == 204
    assert assert_json(client.get(f"{BASE}/tenant/count")) == {"count": 1}
