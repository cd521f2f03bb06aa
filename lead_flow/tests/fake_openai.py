"""A local HTTP server speaking the OpenAI chat-completions API, scripted per test.

Nothing reaches the internet: point ``lead_flow.ai_base_url`` at ``server.base_url``.
``server.responder(note, count)`` decides each answer from the note text found between
``<note>`` and ``</note>`` and how many requests that note got so far; it returns one of

- a label string: a proper ``chat.completion`` whose content is ``{"label": ...}``;
- ``("status", code)``: an OpenAI-style error with that HTTP status;
- ``("sleep", seconds, label)``: answer late;
- ``("raw", text)``: a 200 response whose body is ``text`` (malformed JSON);
- ``("content", text)``: a ``chat.completion`` whose message content is ``text``.
"""

import contextlib
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOTE_RE = re.compile(r"<note>\n(.*)\n</note>", re.S)


def completion(content, model="fake-model"):
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test log quiet
        pass

    def _send(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if status == 429:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, json.dumps({"error": {"message": "not found", "type": "x"}}))
            return
        user = next((m["content"] for m in payload["messages"] if m["role"] == "user"), "")
        match = NOTE_RE.search(user)
        note = match.group(1) if match else user
        with server.lock:
            if server.keep_requests:
                server.requests.append(
                    {
                        "payload": payload,
                        "note": note,
                        "authorization": self.headers.get("Authorization"),
                    }
                )
            server.counts[note] += 1
            count = server.counts[note]
        answer = server.responder(note, count)
        if isinstance(answer, str):
            self._send(200, json.dumps(completion(json.dumps({"label": answer}))))
            return
        kind = answer[0]
        if kind == "status":
            error = {"error": {"message": f"fake error {answer[1]}", "type": "fake", "code": None}}
            self._send(answer[1], json.dumps(error))
        elif kind == "sleep":
            time.sleep(answer[1])
            with contextlib.suppress(OSError):  # the client may have given up (timeout)
                self._send(200, json.dumps(completion(json.dumps({"label": answer[2]}))))
        elif kind == "raw":
            self._send(200, answer[1])
        elif kind == "content":
            self._send(200, json.dumps(completion(answer[1])))
        else:
            raise ValueError(answer)


class FakeOpenAI:
    """``with FakeOpenAI() as server:`` a threaded server on 127.0.0.1, random port.

    ``requests`` keeps every request (payload, note, Authorization header) unless
    ``keep_requests`` is false; ``counts`` always counts the requests per note text."""

    def __init__(self, responder=None, keep_requests=True):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.requests = []
        self.httpd.keep_requests = keep_requests
        self.httpd.counts = Counter()
        self.httpd.responder = responder or (lambda note, count: "unclassified")
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def counts(self):
        return self.httpd.counts

    def set_responder(self, responder):
        self.httpd.responder = responder

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
