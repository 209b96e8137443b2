"""`python -m llama_cpp.server --model M --port P ...` played by the fake OpenAI server (tests/llm/fake_openai.py):
a real process serving real HTTP, so the managed-server tests exercise process management without a model.
Like llama.cpp it refuses a model file it cannot read, and fails when its port is taken. FAKE_LLAMA_SCRIPT
(comma-separated behaviours) scripts its replies; FAKE_LLAMA_STREAM_DELAY slows its streams."""

import argparse
import os
import sys
import time

from tests.llm.fake_openai import FakeOpenAI

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
args, _ = parser.parse_known_args()
with open(args.model, "rb") as f:
    if f.read(4) != b"GGUF":
        sys.exit(f"error loading model: {args.model} is not a GGUF file")
time.sleep(float(os.environ.get("FAKE_LLAMA_LOAD_SECONDS", "0.5")))  # loading the model
try:
    fake = FakeOpenAI(args.port)
except OSError as exc:
    sys.exit(f"ERROR: [Errno 98] error while attempting to bind on address: {exc}")
fake.script = [b for b in os.environ.get("FAKE_LLAMA_SCRIPT", "").split(",") if b]
fake.stream_delay = float(os.environ.get("FAKE_LLAMA_STREAM_DELAY", "0"))
print(f"fake llama server on {args.host}:{args.port}", flush=True)
fake.httpd.serve_forever()
