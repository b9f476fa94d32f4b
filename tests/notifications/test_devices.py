"""POST devices/, GET devices/, DELETE devices/{id}/ (docs/api.md)."""

import json
import uuid

import pytest

from apps.notifications.devices import device_token_hash
from apps.notifications.models import DeliveryStatus, Device
from tests.conftest import client_for
from tests.notifications.push_servers import browser_subscription, make_delivery

URL = "/api/v1/devices/"
FCM_TOKEN = "dGVzdC1mY20tcmVnaXN0cmF0aW9uLXRva2Vu:APA91b-example"


def errors_by_attr(response) -> dict[str, list[str]]:
    body = response.json()
    assert body["type"] == "validation_error"
    found: dict[str, list[str]] = {}
    for error in body["errors"]:
        found.setdefault(error["attr"], []).append(error["code"])
    return found


MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2/abc"


def subscription(endpoint=MOZILLA):
    return browser_subscription(endpoint)[2]


@pytest.mark.django_db
def test_it_registers_a_device_without_echoing_the_token(patient_client, patient):
    response = patient_client.post(URL, {"platform": "android", "token": FCM_TOKEN}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "platform", "created_at", "active"}
    assert (body["platform"], body["active"]) == ("android", True)
    device = Device.objects.get(pk=body["id"])
    assert (device.user, device.token) == (patient, FCM_TOKEN)
    assert device.token_hash == device_token_hash(FCM_TOKEN)


@pytest.mark.django_db
def test_registering_again_moves_and_reactivates_the_same_device(patient, other_patient):
    first = client_for(patient).post(URL, {"platform": "ios", "token": FCM_TOKEN}, format="json")
    Device.objects.filter(pk=first.json()["id"]).update(active=False, disabled_reason="fcm: x")
    queued = make_delivery(patient, platform="ios", token="another-phone")
    old_owners_push = make_delivery(patient, token="unused")
    old_owners_push.device = Device.objects.get(pk=first.json()["id"])
    old_owners_push.save()

    again = client_for(other_patient).post(
        URL, {"platform": "ios", "token": FCM_TOKEN}, format="json"
    )

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["active"] is True
    device = Device.objects.get(pk=first.json()["id"])
    assert (device.user, device.active, device.disabled_reason) == (other_patient, True, "")
    assert Device.objects.filter(token_hash=device_token_hash(FCM_TOKEN)).count() == 1
    # The previous holder's queued push no longer goes to the phone's new holder.
    old_owners_push.refresh_from_db()
    assert old_owners_push.status == DeliveryStatus.FAILED
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.PENDING


@pytest.mark.django_db
def test_the_same_token_on_another_platform_is_another_device(patient_client):
    android = patient_client.post(URL, {"platform": "android", "token": FCM_TOKEN}, format="json")
    ios = patient_client.post(URL, {"platform": "ios", "token": FCM_TOKEN}, format="json")

    assert (android.status_code, ios.status_code) == (201, 201)
    assert android.json()["id"] != ios.json()["id"]


@pytest.mark.django_db
def test_it_registers_a_web_push_subscription_once(patient_client):
    sub = subscription()

    created = patient_client.post(URL, {"platform": "web", "token": json.dumps(sub)}, format="json")
    # The browser may serialize it differently, with expirationTime: the same subscription.
    respelled = {"keys": dict(reversed(sub["keys"].items())), "expirationTime": None, **sub}
    again = patient_client.post(
        URL, {"platform": "web", "token": json.dumps(respelled, indent=2)}, format="json"
    )

    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    stored = json.loads(Device.objects.get().token)
    assert stored == sub


@pytest.mark.django_db
def test_physios_and_editors_register_devices_too(physio_client, editor_client):
    assert (
        physio_client.post(URL, {"platform": "android", "token": "a"}, format="json").status_code
        == 201
    )
    assert (
        editor_client.post(URL, {"platform": "android", "token": "b"}, format="json").status_code
        == 201
    )


def web(value) -> dict:
    return {"platform": "web", "token": value if isinstance(value, str) else json.dumps(value)}


BAD_INPUTS = [
    ({"platform": "blackberry", "token": FCM_TOKEN}, "platform"),
    ({"platform": 1, "token": FCM_TOKEN}, "platform"),
    ({"token": FCM_TOKEN}, "platform"),
    ({"platform": "android"}, "token"),
    ({"platform": "android", "token": 123}, "token"),
    ({"platform": "android", "token": ""}, "token"),
    ({"platform": "android", "token": None}, "token"),
    ({"platform": "android", "token": "x" * 4097}, "token"),
    ({"platform": "android", "token": FCM_TOKEN, "user": 1}, "user"),
    ({"platform": "android", "token": FCM_TOKEN, "active": False}, "active"),
    (web("not json"), "token"),
    (web([MOZILLA]), "token"),
    (web({"endpoint": MOZILLA}), "token"),
    (web({"endpoint": MOZILLA, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}), "token"),
    (web({**subscription(), "endpoint": "ftp://push.example.org/x"}), "token"),
    (web({**subscription(), "endpoint": "http://push.example.org/x"}), "token"),
    (web({**subscription(), "endpoint": 42}), "token"),
    (web({k: v for k, v in subscription().items() if k != "endpoint"}), "token"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("payload", "attr"), BAD_INPUTS)
def test_bad_registrations_are_refused_naming_the_field(patient_client, payload, attr):
    response = patient_client.post(URL, payload, format="json")

    assert response.status_code == 400
    assert attr in errors_by_attr(response)
    assert Device.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/push/abc",
        "https://10.0.0.5/push/abc",
        "https://push.example.org/x",
        "https://fcm.googleapis.com.attacker.example/x",
        "https://notfcm.googleapis.com/x",
        "https://user:secret@fcm.googleapis.com/fcm/send/abc",
    ],
)
def test_web_endpoints_must_belong_to_a_browser_push_service(patient_client, endpoint):
    response = patient_client.post(URL, web(subscription(endpoint)), format="json")

    assert response.status_code == 400
    assert errors_by_attr(response) == {"token": ["invalid_endpoint"]}
    assert Device.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        MOZILLA,
        "https://web.push.apple.com/QGuQyavXutnMH",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ],
)
def test_the_browsers_push_services_are_accepted(patient_client, endpoint):
    response = patient_client.post(URL, web(subscription(endpoint)), format="json")

    assert response.status_code == 201


@pytest.mark.django_db
def test_plain_http_endpoints_are_accepted_only_when_allowed(patient_client, settings):
    settings.WEBPUSH_ALLOW_HTTP_ENDPOINTS = True
    settings.WEBPUSH_ALLOWED_HOSTS = ["127.0.0.1"]

    response = patient_client.post(
        URL, web(subscription("http://127.0.0.1:9/push/abc")), format="json"
    )

    assert response.status_code == 201


@pytest.mark.django_db
def test_the_list_is_the_callers_own(patient_client, patient, other_patient):
    mine = make_delivery(patient, token="mine").device
    make_delivery(other_patient, token="theirs")

    results = patient_client.get(URL).json()["results"]

    assert [d["id"] for d in results] == [str(mine.id)]
    assert set(results[0]) == {"id", "platform", "created_at", "active"}


@pytest.mark.django_db
def test_the_owner_deletes_a_device(patient_client, patient):
    device = make_delivery(patient).device

    response = patient_client.delete(f"{URL}{device.id}/")

    assert response.status_code == 204
    assert not Device.objects.filter(pk=device.pk).exists()


@pytest.mark.django_db
def test_another_users_device_is_404_and_stays(patient, other_patient):
    device = make_delivery(patient).device

    response = client_for(other_patient).delete(f"{URL}{device.id}/")

    assert response.status_code == 404
    assert Device.objects.filter(pk=device.pk, user=patient, active=True).exists()
    assert client_for(other_patient).delete(f"{URL}{uuid.uuid4()}/").status_code == 404


@pytest.mark.django_db
def test_anonymous_requests_are_401_and_change_nothing(api_client, patient):
    device = make_delivery(patient).device

    assert (
        api_client.post(URL, {"platform": "android", "token": "x"}, format="json").status_code
        == 401
    )
    assert api_client.get(URL).status_code == 401
    assert api_client.delete(f"{URL}{device.id}/").status_code == 401
    assert list(Device.objects.values_list("pk", flat=True)) == [device.pk]


def test_the_schema_documents_the_device_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(public=True)

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/devices/"])
    assert "delete" in schema["paths"]["/api/v1/devices/{device_id}/"]
    assert "token" not in json.dumps(schema["components"]["schemas"]["Device"]["properties"])
