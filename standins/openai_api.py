"""A local OpenAI-compatible server: ``POST /v1/chat/completions`` with scripted answers.

Enough of the API for the ``openai`` client's ``chat.completions.parse`` with a ``json_schema``
response format. Every request is recorded; the answer depends on ``mode``:

* ``"ok"``: a deterministic triage reply (or the payload given to ``respond_with``);
* ``"hang"``: no answer until ``hang_seconds`` have passed or the server stops;
* ``"error_500"``: HTTP 500 with OpenAI's error body and a short ``retry-after-ms``;
* ``"invalid_json"``: a completion whose content is prose, not JSON;
* ``"refusal"``: a completion with ``refusal`` set and no content, as OpenAI sends it;
* ``"schema_violation"``: valid JSON with an unknown intent and numbers out of range.

A request without ``Authorization: Bearer <api_key>`` gets HTTP 401 in every mode.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, get_args

Mode = Literal["ok", "hang", "error_500", "invalid_json", "refusal", "schema_violation"]
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_API_KEY = "sk-standin-key"
COMPLETIONS_PATH = "/v1/chat/completions"
STANDIN_GROUNDING = 0.8
REFUSAL_TEXT = "I'm sorry, but I can't help with that request."
INVALID_JSON_TEXT = "Sure! This looks like a password question, so I would answer how_to."

_CUSTOMER_RE = re.compile(r"<customer_message>(.*?)</customer_message>", re.DOTALL)
_URL_RE = re.compile(r"https?://[^\s\"'<>]+")
_ARTICLE_RE = re.compile(r'<article\b[^>]*\burl="([^"]+)"[^>]*>')
_TITLE_RE = re.compile(r'\btitle="([^"]*)"')
_WORD_RE = re.compile(r"[a-z0-9]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s")
# First matching keyword wins; only intents the request's schema allows are chosen.
_INTENT_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("refund", "billing_dispute"),
    ("chargeback", "billing_dispute"),
    ("cancel", "cancellation"),
    ("gdpr", "legal"),
    ("breach", "security"),
    ("vulnerability", "security"),
    ("human", "human_request"),
    ("invoice", "billing_question"),
    ("invoices", "billing_question"),
    ("password", "account_access"),
    ("login", "account_access"),
    ("outage", "outage"),
    ("down", "outage"),
    ("webhook", "integration"),
    ("api", "integration"),
    ("error", "bug_report"),
    ("bug", "bug_report"),
    ("thanks", "feedback"),
    ("how", "how_to"),
)
_NEGATIVE_WORDS = frozenset({"angry", "terrible", "awful", "broken", "unacceptable", "worst"})
_POSITIVE_WORDS = frozenset({"thanks", "thank", "great", "love", "awesome", "perfect"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received: ``body`` is the decoded JSON (``None`` when it was not JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    authorized: bool

    @property
    def messages(self) -> list[dict[str, Any]]:
        return request_messages(self.body)

    @property
    def response_format(self) -> dict[str, Any] | None:
        value = (self.body or {}).get("response_format")
        return value if isinstance(value, dict) else None


def request_messages(body: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The chat messages of a request body (only the ones that are JSON objects)."""
    messages = (body or {}).get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def message_text(message: dict[str, Any]) -> str:
    """The text of a chat message whose content is a string or a list of text parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def scripted_reply(
    messages: list[dict[str, Any]], response_format: dict[str, Any] | None
) -> dict[str, Any]:
    """The deterministic triage reply to a request: it reads the user messages only (the
    system prompt may mention the delimiters), and the customer text inside the last pair of
    ``<customer_message>`` tags."""
    prompt = "\n".join(message_text(m) for m in messages if m.get("role") == "user")
    delimited = _CUSTOMER_RE.findall(prompt)
    customer = delimited[-1].strip() if delimited else ""
    words = _WORD_RE.findall(customer.lower())
    answer: dict[str, Any] = {"text": "", "citations": [], "grounding": 0.0}
    article = _first_article(prompt)
    if article is not None:
        url, title = article
        answer = {
            "text": f'The help article "{title}" explains this.',
            "citations": [url],
            "grounding": STANDIN_GROUNDING,
        }
    return {
        "intent": _intent(words, _allowed_intents(response_format)),
        "sentiment": _sentiment(words),
        "language": "en",
        "summary": _SENTENCE_END_RE.split(customer, maxsplit=1)[0][:200] or "(empty message)",
        "answer": answer,
    }


def _first_article(prompt: str) -> tuple[str, str] | None:
    """``(url, title)`` of the first ``<article url=...>`` of the prompt, else of its first URL."""
    tag = _ARTICLE_RE.search(prompt)
    if tag is not None:
        title = _TITLE_RE.search(tag.group(0))
        url = html.unescape(tag.group(1))
        return url, html.unescape(title.group(1)) if title else url
    bare = _URL_RE.search(prompt)
    return (bare.group(0), bare.group(0)) if bare else None


def _allowed_intents(response_format: dict[str, Any] | None) -> list[str]:
    try:
        enum = response_format["json_schema"]["schema"]["properties"]["intent"]["enum"]  # type: ignore[index]
    except (KeyError, TypeError):
        return []
    return [str(value) for value in enum] if isinstance(enum, list) else []


def _intent(words: list[str], allowed: list[str]) -> str:
    present = set(words)
    for keyword, intent in _INTENT_KEYWORDS:
        if keyword in present and (not allowed or intent in allowed):
            return intent
    if not allowed or "how_to" in allowed:
        return "how_to"
    return allowed[0]


def _sentiment(words: list[str]) -> float:
    if not _NEGATIVE_WORDS.isdisjoint(words):
        return -0.7
    if not _POSITIVE_WORDS.isdisjoint(words):
        return 0.6
    return 0.0


def schema_violation() -> dict[str, Any]:
    """Valid JSON that breaks the triage schema: unknown intent, numbers out of range."""
    return {
        "intent": "mark_resolved",
        "sentiment": 7.5,
        "language": "english",
        "summary": "Resolved.",
        "answer": {"text": "Done.", "citations": ["https://attacker.example/"], "grounding": 4.2},
    }


def completion_body(
    *, number: int, model: str, content: str | None, refusal: str | None, prompt: str
) -> dict[str, Any]:
    """A ``chat.completion`` object shaped like OpenAI's."""
    prompt_tokens = max(1, len(prompt) // 4)
    completion_tokens = max(1, len(content or refusal or "") // 4)
    return {
        "id": f"chatcmpl-standin{number:06d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "refusal": refusal,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_standin",
    }


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: OpenAIStandin) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client gave up (a timed-out request); tests read the records."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, method: str) -> None:
        assert isinstance(self.server, _Server)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        status, body, headers = self.server.standin.handle(
            method, self.path, dict(self.headers.items()), raw
        )
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests read the recorded requests instead."""


class OpenAIStandin:
    """An OpenAI-compatible chat completions server on 127.0.0.1 (a free port)."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        mode: Mode = "ok",
        hang_seconds: float = 30.0,
        retry_after_ms: int | None = 1,
    ) -> None:
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.retry_after_ms = retry_after_ms
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._numbers = itertools.count(1)
        self._mode: Mode = mode
        self._payload: dict[str, Any] | None = None
        self._released = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> OpenAIStandin:
        if self._server is not None:
            return self
        self._released.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="openai-standin",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests left hanging are released first."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._released.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> OpenAIStandin:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, the client's ``base_url``."""
        if self._server is None:
            raise RuntimeError("the OpenAI stand-in is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    # -- script --------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, value: Mode) -> None:
        if value not in MODES:
            raise ValueError(f"unknown mode {value!r}; use one of {', '.join(MODES)}")
        with self._lock:
            self._mode = value
            self._payload = None

    def respond_with(self, payload: dict[str, Any]) -> None:
        """Answer every request with ``payload`` as the message content (mode ``"ok"``)."""
        with self._lock:
            self._mode = "ok"
            self._payload = dict(payload)

    # -- records -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise LookupError("the OpenAI stand-in has received no request")
            return self._requests[-1]

    def last_messages(self) -> list[dict[str, Any]]:
        return self.last_request.messages

    def last_text(self, role: str) -> str:
        """The text of the last request's messages of ``role``, joined by newlines."""
        return "\n".join(message_text(m) for m in self.last_messages() if m.get("role") == role)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- serving -------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Record one request and return ``(status, JSON body, extra headers)``."""
        lowered = {name.lower(): value for name, value in headers.items()}
        authorized = lowered.get("authorization") == f"Bearer {self.api_key}"
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        body = decoded if isinstance(decoded, dict) else None
        with self._lock:
            self._requests.append(RecordedRequest(method, path, headers, body, authorized))
            number, mode, payload = next(self._numbers), self._mode, self._payload
        request_id = {"x-request-id": f"req_standin{number:06d}"}
        if not authorized:
            error = error_body(
                "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
            )
            return 401, error, request_id
        if method != "POST" or path.split("?")[0] != COMPLETIONS_PATH:
            return (
                404,
                error_body(f"Unknown request URL: {method} {path}.", "invalid_request_error"),
                request_id,
            )
        if body is None or not isinstance(body.get("messages"), list):
            return (
                400,
                error_body("'messages' is a required property.", "invalid_request_error"),
                request_id,
            )
        return self._answer(mode, payload, number, body, request_id)

    def _answer(
        self,
        mode: Mode,
        payload: dict[str, Any] | None,
        number: int,
        body: dict[str, Any],
        headers: dict[str, str],
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if mode == "error_500":
            if self.retry_after_ms is not None:
                headers = {**headers, "retry-after-ms": str(self.retry_after_ms)}
            error = error_body(
                "The server had an error while processing your request.", "server_error"
            )
            return 500, error, headers
        if mode == "hang":
            self._released.wait(self.hang_seconds)
        messages = request_messages(body)
        content: str | None = None
        refusal: str | None = None
        if mode == "refusal":
            refusal = REFUSAL_TEXT
        elif mode == "invalid_json":
            content = INVALID_JSON_TEXT
        elif mode == "schema_violation":
            content = json.dumps(schema_violation())
        else:
            response_format = body.get("response_format")
            if payload is None:
                payload = scripted_reply(
                    messages, response_format if isinstance(response_format, dict) else None
                )
            content = json.dumps(payload)
        prompt = "\n".join(message_text(m) for m in messages)
        model = str(body.get("model") or "gpt-standin")
        completion = completion_body(
            number=number, model=model, content=content, refusal=refusal, prompt=prompt
        )
        return 200, completion, headers
