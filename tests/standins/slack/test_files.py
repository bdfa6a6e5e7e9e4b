"""The stand-in's external file upload, driven by the real ``WebClient.files_upload_v2``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from standins.slack.methods import METHODS, SDK_ONLY_METHODS, known_method_names
from standins.slack.methods_gen import sdk_required_args
from standins.slack.standin import SlackStandin
from tests.standins.slack.conftest import AGENT, INTERNAL_CHANNEL

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def api_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value


def post(url: str, data: bytes) -> tuple[int, bytes]:
    """POST raw bytes as ``files_upload_v2`` does; the HTTP status and body."""
    try:
        with urlopen(Request(url, data=data, method="POST"), timeout=5) as reply:  # noqa: S310
            return reply.status, reply.read()
    except HTTPError as error:
        return error.code, error.read()


def test_files_upload_v2_uploads_privately(client: WebClient, standin: SlackStandin) -> None:
    response = client.files_upload_v2(
        file=PNG, filename="trend.png", title="Escalation trend", alt_txt="A rising line"
    )

    uploaded = response["file"]
    assert uploaded["id"].startswith("F")
    assert response["files"] == [uploaded]
    assert uploaded["name"] == "trend.png"
    assert uploaded["title"] == "Escalation trend"
    assert uploaded["mimetype"] == "image/png"
    assert uploaded["size"] == len(PNG)
    assert uploaded["url_private"].endswith(f"{uploaded['id']}/trend.png")
    assert uploaded["alt_txt"] == "A rising line"
    assert uploaded["channels"] == [] and uploaded["shares"] == {}
    assert standin.file_content(uploaded["id"]) == PNG
    assert [call.method for call in standin.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert standin.calls[0].args["length"] == str(len(PNG))
    assert standin.unimplemented_calls == []


def test_an_uploaded_image_can_be_shown_by_file_id(
    client: WebClient, standin: SlackStandin
) -> None:
    file_id = client.files_upload_v2(file=PNG, filename="trend.png", title="Trend")["file"]["id"]
    image = {"type": "image", "alt_text": "Trend", "slack_file": {"id": file_id}}

    client.views_publish(user_id=AGENT, view={"type": "home", "blocks": [image]})

    home = standin.published_home(AGENT)
    assert home is not None
    assert home["blocks"][0]["slack_file"] == {"id": file_id}


def test_completing_without_the_upload_is_file_not_found(
    client: WebClient, standin: SlackStandin
) -> None:
    reserved = client.files_getUploadURLExternal(filename="trend.png", length=len(PNG))
    file_id = reserved["file_id"]
    assert reserved["upload_url"].startswith(standin.base_url)

    error = api_error(client.files_completeUploadExternal, files=[{"id": file_id, "title": "T"}])
    assert error.response["error"] == "file_not_found"
    assert standin.file_content(file_id) is None

    unknown = api_error(client.files_completeUploadExternal, files=[{"id": "F0NOSUCHFILE"}])
    assert unknown.response["error"] == "file_not_found"


def test_a_body_of_the_wrong_length_is_refused(client: WebClient, standin: SlackStandin) -> None:
    reserved = client.files_getUploadURLExternal(filename="trend.png", length=len(PNG))
    url, file_id = reserved["upload_url"], reserved["file_id"]

    status, _ = post(url, PNG[:-1])
    assert status == 400
    assert standin.file_content(file_id) is None
    error = api_error(client.files_completeUploadExternal, files=[{"id": file_id}])
    assert error.response["error"] == "file_not_found"

    assert post(url, PNG) == (200, f"OK - {len(PNG)}".encode())  # a retry with the right body
    done = client.files_completeUploadExternal(files=[{"id": file_id, "title": "Trend"}])
    assert done["files"][0]["id"] == file_id
    assert done["files"][0]["title"] == "Trend"


def test_an_upload_completes_once(client: WebClient, standin: SlackStandin) -> None:
    file_id = client.files_upload_v2(file=PNG, filename="trend.png", title="Trend")["file"]["id"]
    error = api_error(client.files_completeUploadExternal, files=[{"id": file_id}])
    assert error.response["error"] == "file_not_found"
    reserved_url = standin.base_url + f"/upload/{file_id}"
    assert post(reserved_url, PNG)[0] == 404
    assert post(standin.base_url + "/upload/F0NOSUCHFILE", PNG)[0] == 404


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("files.getUploadURLExternal", {"length": 10}),
        ("files.getUploadURLExternal", {"filename": "a.png"}),
        ("files.getUploadURLExternal", {"filename": "a.png", "length": 0}),
        ("files.getUploadURLExternal", {"filename": "a.png", "length": "ten"}),
        ("files.completeUploadExternal", {}),
        ("files.completeUploadExternal", {"files": "not json"}),
        ("files.completeUploadExternal", {"files": json.dumps([{"title": "no id"}])}),
        ("files.completeUploadExternal", {"files": json.dumps({"id": "F0000000001"})}),
    ],
)
def test_missing_or_malformed_arguments_are_invalid_arguments(
    client: WebClient, method: str, args: dict[str, Any]
) -> None:
    error = api_error(client.api_call, method, data=args)
    assert error.response["error"] == "invalid_arguments"


def test_a_too_long_alt_text_is_refused(client: WebClient) -> None:
    error = api_error(
        client.files_getUploadURLExternal, filename="a.png", length=10, alt_txt="x" * 1001
    )
    assert error.response["error"] == "alt_txt_too_large"


def test_sharing_to_a_channel_is_not_implemented(client: WebClient) -> None:
    error = api_error(
        client.files_upload_v2, file=PNG, filename="trend.png", channel=INTERNAL_CHANNEL
    )
    assert error.response["error"] == "standin_not_implemented"


def test_sdk_only_methods_are_real_and_declare_the_sdk_arguments() -> None:
    assert set(SDK_ONLY_METHODS) <= known_method_names()
    assert not set(SDK_ONLY_METHODS) & set(METHODS)
    sdk = sdk_required_args()
    for method, spec in SDK_ONLY_METHODS.items():
        declared = {name for required in spec.required for name in required.names}
        assert sdk[method] <= declared, method
