"""The OpenAI-compatible client against a small real HTTP server on loopback that answers
badly: a chunk that is not a JSON object, and a good stream for comparison."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from recommender.errors import LLMError
from recommender.models.llm import OpenAICompatLLM


def serve(lines: list[str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for line in lines:
                self.wfile.write(f"data: {line}\n\n".encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['{"choices": [{"delta": {"content": "Hi"}}]}', '{"choices": []}', "[DONE]"], "Hi"),
        (['{"choices": [{"delta": "odd"}]}', "[DONE]"], ""),  # a delta that is not an object
    ],
)
def test_streams_what_is_well_formed(lines, expected):
    server = serve(lines)
    try:
        llm = OpenAICompatLLM(f"http://127.0.0.1:{server.server_port}/v1", "m", timeout_s=5)
        assert "".join(llm.stream([{"role": "user", "content": "x"}])) == expected
    finally:
        server.shutdown()


def test_a_chunk_that_is_not_an_object_is_an_llm_error_not_a_crash():
    server = serve(["[1, 2, 3]", "[DONE]"])
    try:
        llm = OpenAICompatLLM(f"http://127.0.0.1:{server.server_port}/v1", "m", timeout_s=5)
        with pytest.raises(LLMError):
            list(llm.stream([{"role": "user", "content": "x"}]))
    finally:
        server.shutdown()
