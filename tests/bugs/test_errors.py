from __future__ import annotations

import pytest

from app.bugs.errors import detect_errors, normalise

PYTHON_TRACE = """The export fails every time:
```
Traceback (most recent call last):
  File "/srv/app/export.py", line 42, in run
    rows = load(account_id=1234)
  File "/srv/app/db.py", line 7, in load
ValueError: invalid literal for int() with base 10: 'abc-991'
```
request id: req_8fK2aa91Qz"""

SAME_ERROR_ELSEWHERE = """hello, we see this
Traceback (most recent call last):
  File "/home/deploy/releases/20261126/export.py", line 40, in run
    rows = load(account_id=99)
  File "/home/deploy/releases/20261126/db.py", line 9, in load
ValueError: invalid literal for int() with base 10: 'xyz-12'
thanks"""


def test_a_python_traceback_in_a_code_block() -> None:
    report = detect_errors([PYTHON_TRACE])
    assert report is not None
    assert report.headline == "ValueError: invalid literal for int() with base 10: 'abc-991'"
    assert report.stack_trace is not None
    assert report.stack_trace.startswith("Traceback (most recent call last):")
    assert report.stack_trace.endswith("'abc-991'")
    assert report.request_ids == ("req_8fK2aa91Qz",)


def test_the_same_error_from_two_accounts_has_one_fingerprint() -> None:
    first, second = detect_errors([PYTHON_TRACE]), detect_errors([SAME_ERROR_ELSEWHERE])
    assert first is not None and second is not None
    assert first.fingerprint == second.fingerprint
    assert second.stack_trace is not None and second.stack_trace.endswith("'xyz-12'")


def test_a_different_error_or_place_has_another_fingerprint() -> None:
    base = detect_errors([PYTHON_TRACE])
    other_type = detect_errors([PYTHON_TRACE.replace("ValueError", "KeyError")])
    other_function = detect_errors([PYTHON_TRACE.replace("in load", "in save")])
    assert base is not None and other_type is not None and other_function is not None
    assert len({base.fingerprint, other_type.fingerprint, other_function.fingerprint}) == 3


def test_http_5xx_with_a_request_id() -> None:
    a = detect_errors(
        [
            "Export gives HTTP 502 Bad Gateway on GET /api/v2/export?id=7, "
            "x-request-id: 7f3a9c21-aa01"
        ]
    )
    b = detect_errors(["we got http 502 on GET /api/v2/export?id=9 request-id=0b9e77d2-ff10"])
    assert a is not None and b is not None
    assert (a.http_status, a.headline) == (502, "HTTP 502 on /api/v2/export")
    assert a.request_ids == ("7f3a9c21-aa01",)
    assert a.fingerprint == b.fingerprint


def test_status_words_alone_count() -> None:
    report = detect_errors(["The page shows 503 Service Unavailable since this morning"])
    assert report is not None and report.http_status == 503


def test_a_jvm_exception_with_frames() -> None:
    text = (
        "java.lang.NullPointerException: Cannot invoke length() on null\n"
        "\tat com.acme.billing.Invoice.total(Invoice.java:118)\n"
        "\tat com.acme.billing.Api.get(Api.java:51)"
    )
    report = detect_errors([text])
    assert report is not None
    assert report.headline.startswith("java.lang.NullPointerException")
    assert report.stack_trace is not None and "Invoice.java:118" in report.stack_trace
    moved = detect_errors([text.replace("118", "120").replace(":51", ":77")])
    assert moved is not None and moved.fingerprint == report.fingerprint


def test_error_lines_outside_traces() -> None:
    report = detect_errors(["I tried again and got\nError: connection refused to 10.0.3.4:5432"])
    assert report is not None and report.headline == "Error: connection refused to 10.0.3.4:5432"
    again = detect_errors(["Error: connection refused to 10.0.9.9:5432"])
    assert again is not None and again.fingerprint == report.fingerprint


@pytest.mark.parametrize(
    "text",
    [
        "How do I reset my password?",
        "We were charged twice, please refund",
        "Error handling in the docs is unclear",
        "Our plan has 500 seats",
        "",
    ],
)
def test_ordinary_messages_show_no_error(text: str) -> None:
    assert detect_errors([text]) is None


def test_normalise_strips_what_varies() -> None:
    assert (
        normalise(
            'File "/a/b/c.py:12" id 0xDEADBEEF 3f9a1c2b7e '
            "user 9ad1c0de-1111-2222-3333-444455556666 n=42"
        )
        == "file <s> id <hex> <hex> user <id> n=<n>"
    )
    assert normalise("at /srv/app/models/user.rb:88:in `save'") == "at user.rb:in `save'"
