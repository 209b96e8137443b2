"""A small real HTTP server speaking the OpenAI chat-completions protocol, with scripted faults.

The real `openai` client talks to it over loopback; nothing is monkeypatched.
Each request takes the next behaviour from the script; when the script is empty
it answers well: JSON that cites the first passage of the prompt with one of
that passage's own sentences.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _good_sentences(prompt: str) -> list[dict]:
    out = []
    for number, passage in re.findall(r"\[(\d+)\][^\n]*\n<passage>\n(.*?)\n</passage>", prompt, re.DOTALL):
        for sentence in re.split(r"(?<=\.)\s+", " ".join(passage.split())):
            if len(sentence.split()) >= 8 and sentence[0].isupper() and sentence.endswith(".") and "|" not in sentence:
                out.append({"text": re.sub(r"^\d+(\.\d+)*\s+", "", sentence), "evidence": [int(number)]})
                break
        if len(out) == 2:
            break
    return out or [{"text": "The Council has set out its plans.", "evidence": [1]}]


class FakeOpenAI:
    def __init__(self):
        self.script: list[str] = []
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _completion(self, content: str):
                self._json(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": "fake",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _stream(self, content: str, truncate: bool):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = [content[i : i + 20] for i in range(0, len(content), 20)]
                if truncate:
                    pieces = pieces[: max(1, len(pieces) // 3)]
                for piece in pieces:
                    event = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                if not truncate:
                    final = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                    self.wfile.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

            def do_GET(self):
                self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                behaviour = fake.next_behaviour()
                with fake.lock:
                    fake.requests.append({"behaviour": behaviour, "body": body, "auth": self.headers.get("Authorization", "")})
                prompt = "\n".join(m.get("content", "") for m in body.get("messages", []))
                good = json.dumps({"sentences": _good_sentences(prompt)})
                fmt = (body.get("response_format") or {}).get("type")
                if behaviour == "reject_json_schema" and fmt == "json_schema":
                    return self._json(500, {"error": {"message": "1 validation error: response_format.type Input should be 'text' or 'json_object'", "type": "internal_server_error"}})
                if behaviour == "429":
                    return self._json(429, {"error": {"message": "rate limited", "type": "rate_limit"}}, {"Retry-After": "1"})
                if behaviour == "500":
                    return self._json(500, {"error": {"message": "the server fell over", "type": "server_error"}})
                if behaviour == "401":
                    return self._json(401, {"error": {"message": "Incorrect API key provided: sk-test-abcdefghijklmnop", "type": "invalid_request_error"}})
                if behaviour == "slow":
                    time.sleep(3)
                if behaviour == "malformed":
                    return self._completion('{"sentences": [{"text": "The Council')
                if behaviour == "schema_break":
                    return self._completion('{"answer": "The Council saved money.", "sources": "1"}')
                if behaviour == "bad_citation":
                    return self._completion(json.dumps({"sentences": [{"text": "The Council saved £9.9 million on everything.", "evidence": [99]}]}))
                if behaviour == "invent":
                    first = _good_sentences(prompt)[0]
                    return self._completion(json.dumps({"sentences": [{"text": "It saved £7.7 million in 2019.", "evidence": first["evidence"]}]}))
                if body.get("stream"):
                    return self._stream(good, truncate=behaviour == "truncated")
                return self._completion(good)

        return Handler
