"""TEST DOUBLE of `python -m sglang.launch_server` (tests only).

- Arguments: SGLang's own flags; `--config FILE.yaml` is merged first as SGLang does (keys become
  `--key value`, `true` a bare flag). Unknown flags are kept: the real parser is checked against
  every planned argv in tests/unit/test_sglang_parser.py.
- Records {"argv", "merged", "config_keys", "pid", "started"} as JSON to
  $SGLANG_DOUBLE_RECORD (default $STATE_DIRECTORY/launch-args.json or /tmp/...), without the
  API key's value.
- A model load: /health answers 503 for SGLANG_DOUBLE_LOAD_SECONDS (default 3) seconds.
- Then, in SGLang's response shapes: GET /health, /health_generate, /v1/models, /model_info,
  /server_info, /metrics, /v1/loads; POST /v1/chat/completions (text, a tool call when `tools`
  are given, image content parts accepted), /v1/completions, /generate (streaming and not),
  /flush_cache (200 "Cache flushed." when no request runs, else 400, as SGLang 0.5.23).
  Bearer --api-key is enforced as SGLang 0.5.23 does (python/sglang/srt/utils/auth.py,
  `decide_request_auth`: paths starting /health, /ready or /metrics exempt; the scheme
  "Bearer" in any case).
- GET /v1/loads as SGLang 0.5.23 answers it (see `loads()`), its num_running_reqs the double's
  own count of inference requests in flight; what a gateway (smg) polls on each worker.
- Request bodies as uvicorn reads them: Content-Length or `Transfer-Encoding: chunked`; every
  request's body is read before its answer, an early 401/404 included, so a kept-alive
  connection stays in step.
- Logs `server_args={...}` at INFO on start, API key included, as SGLang does.
- SIGTERM: /health turns 503, then the process exits.
- Faults a rollout must catch, from the environment (the unit's env file), read at start:
  SGLANG_DOUBLE_NEVER_READY=1: /health answers 503 for ever (a model that never loads);
  SGLANG_DOUBLE_HANG_AFTER=N: inference requests after the first N never answer while /health
  still answers 200 (SGLang issues #6624, #22779: generation dead, health fine);
  SGLANG_DOUBLE_TOKEN_SECONDS=S: each inference answer takes S seconds per completion token
  (default 0.01), a streamed /generate PREFILL_TOKENS times S before its first token and S
  between two tokens, so that a slower build is measurably slower in every metric bench_serving
  reports (TTFT, ITL, TPOT, output tokens per second);
  SGLANG_DOUBLE_ANSWER=X: the option letter it answers multiple-choice (MMLU-Pro) prompts with
  (default B), a build whose answers are wrong;
  SGLANG_DOUBLE_ORPHAN=1: a child forked once the port is bound keeps it (and ignores SIGTERM)
  after the server exits, as SGLang's orphaned workers hold its port and GPU memory after a
  crash; its pid is in $STATE_DIRECTORY/orphan-<port>.pid.
- A stall while it runs: while the file $SGLANG_DOUBLE_STALL_FILE (default
  $STATE_DIRECTORY/stall-<port>) exists, inference requests hang and /health answers 200, and its token
  counter stands still, as with a stopped scheduler; a start removes the file (a restart cures it).
- /metrics (with --enable-metrics, else 404 as SGLang) in SGLang 0.5.17's names and labels
  (tests/fixtures/metrics/sglang-0.5.17): num_running_reqs, num_queue_reqs, token_usage,
  realtime_tokens_total{mode}, generation_tokens_total, prompt_tokens_total, num_requests_total.
- `--help` / `-h`: prints a usage of SGLang's flags and exits 0, before anything else, as
  SGLang's argparse parser does (`python -m sglang.launch_server --help` is how the install role
  checks that the server's modules import).
- /server_info carries `version` (the package's __version__), as SGLang 0.5.17 and 0.5.23 do
  (python/sglang/srt/entrypoints/http_server.py, `server_info()`: `"version": __version__`).
- Multi-node (`--nnodes N --node-rank R --dist-init-addr HOST:PORT`), as SGLang 0.5.23 behaves
  (python/sglang/srt/entrypoints/engine.py): the model loads only once every rank has joined
  rank 0's rendezvous at HOST:PORT (rank 0 listens there; a rank >= 1 retries until it can
  connect). A rank >= 1 then serves only SGLang's stub (`launch_dummy_health_check_server`:
  /health, /health_generate and /ping answer 200 whatever happens, anything else 404); on SIGTERM
  it logs "waiting for the rank-0 ShutdownReq broadcast" and keeps running. Rank 0's SIGTERM
  broadcasts the shutdown: every rank >= 1 exits 0. A rank whose peer goes without that broadcast
  exits 1 (the real one fails its next collective, or hangs until NCCL's timeout).
"""

import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from sglang import __version__
except ImportError:  # run as a file (the playbook tests), not as `python -m sglang.launch_server`
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "__init__.py")) as _init:
        __version__ = re.search(r'__version__ = "([^"]+)"', _init.read()).group(1)

STORE_TRUE = {"enable-multimodal", "disable-hybrid-swa-memory", "enable-metrics",
              "trust-remote-code", "disable-radix-cache", "disable-cuda-graph"}


def merge_config(argv):
    if "--config" not in argv:
        return list(argv), []
    i = argv.index("--config")
    path = argv[i + 1]
    config = {}
    with open(path) as handle:
        for line in handle:  # a flat YAML mapping of scalars, as the service role writes it
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#") or line.startswith("---"):
                continue
            key, _sep, value = line.partition(":")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1].replace("''", "'") if value[0] == "'" else json.loads(value)
            config[key.strip()] = value
    merged = []
    for key, value in config.items():
        if value in ("true", "True") and key in STORE_TRUE | {"enable-multimodal"}:
            merged.append("--" + key)
        elif value in ("false", "False") and key in STORE_TRUE:
            continue
        else:
            merged += ["--" + key, str(value)]
    return merged + argv[:i] + argv[i + 2:], sorted(config)


def options(argv):
    out = {}
    i = 0
    while i < len(argv):
        key = argv[i][2:]
        if i + 1 < len(argv) and not argv[i + 1].startswith("--"):
            out[key] = argv[i + 1]
            i += 2
        else:
            out[key] = True
            i += 1
    return out


class State:
    ready_at = 0.0
    stopping = False
    opts = {}
    node_rank = 0
    joined = None  # set once every rank is in the rendezvous
    inflight = 0  # inference requests being answered: /v1/loads' num_running_reqs
    answered = 0  # inference requests taken since start (SGLANG_DOUBLE_HANG_AFTER)
    tokens = 0  # completion tokens answered (the metrics' token counters)
    lock = threading.Lock()


MAX_TOTAL_NUM_TOKENS = 123456  # the KV pool the double claims (/server_info, /v1/loads)
# a streamed /generate waits this many token times more before its first token (a prefill of 8 in
# all, with the wait every inference answer has): a TTFT long beside the HTTP overhead
PREFILL_TOKENS = 6

# SGLang 0.5.23's LoadSnapshot (python/sglang/srt/managers/load_snapshot.py, PyPI wheel
# sglang==0.5.23): the "core" keys of /v1/loads in the struct's order, then the sections
# (struct field, `include` name) in to_dict()'s order
LOAD_CORE_KEYS = (
    "timestamp", "dp_rank", "num_running_reqs", "num_waiting_reqs", "num_waiting_uncached_tokens",
    "num_used_tokens", "num_total_tokens", "num_active_tokens", "num_prealloc_ready_tokens",
    "max_total_num_tokens", "max_running_requests", "token_usage", "gen_throughput",
    "cache_hit_rate", "utilization", "total_prefill_uncached_tokens", "total_prefill_busy_us",
    "decode_moments")
LOAD_SECTIONS = (("memory", "memory"), ("speculative", "spec"), ("lora", "lora"),
                 ("disaggregation", "disagg"), ("queues", "queues"))
LOAD_VALID_INCLUDE = {"core", "memory", "spec", "lora", "disagg", "queues", "all"}


def load_snapshots(state):
    """One LoadSnapshot per DP rank, as SGLang 0.5.23's scheduler publishes it
    (managers/scheduler_components/load_inquirer.py, `get_loads`): the double's in-flight
    requests count on rank 0; no KV tokens are used, nothing waits."""
    opts = state.opts
    dp_size = int(opts.get("dp-size") or opts.get("data-parallel-size") or 1)
    # SGLang's default derives from the KV pool; --max-running-requests is split across DP ranks
    max_running = (int(opts["max-running-requests"]) // dp_size
                   if opts.get("max-running-requests") else MAX_TOTAL_NUM_TOKENS // 2)
    mode = str(opts.get("disaggregation-mode", "null"))
    snapshots = []
    for rank in range(dp_size):
        running = state.inflight if rank == 0 else 0
        snapshot = dict.fromkeys(LOAD_CORE_KEYS, 0)
        snapshot.update({
            "timestamp": time.time(), "dp_rank": rank, "num_running_reqs": running,
            "max_total_num_tokens": MAX_TOTAL_NUM_TOKENS, "max_running_requests": max_running,
            "token_usage": 0.0, "gen_throughput": 0.0, "cache_hit_rate": 0.0,
            "utilization": 0.0, "decode_moments": None,
            "memory": {"weight_gb": 0.0, "kv_cache_gb": 0.0, "graph_gb": 0.0,
                       "token_capacity": MAX_TOTAL_NUM_TOKENS},
            "speculative": None, "lora": None,
            "disaggregation": {
                "mode": mode if mode in ("prefill", "decode") else "null",
                "prefill_bootstrap_queue_reqs": 0, "prefill_inflight_queue_reqs": 0,
                "decode_prealloc_queue_reqs": 0, "decode_transfer_queue_reqs": 0,
                "decode_retracted_queue_reqs": 0, "kv_transfer_speed_gb_s": 0.0,
                "kv_transfer_latency_ms": 0.0},
            "queues": {"waiting": 0, "grammar": 0, "paused": 0, "retracted": 0,
                       "prealloc_ready": 0}})
        snapshots.append(snapshot)
    return snapshots


def load_to_dict(snapshot, include):
    """SGLang 0.5.23's LoadSnapshot.to_dict: every core key (None kept), then the sections that
    are set and asked for; an unknown section name is a ValueError."""
    load = {key: snapshot[key] for key in LOAD_CORE_KEYS}
    if include is None or "all" in include:
        include_all = True
    else:
        if not include <= LOAD_VALID_INCLUDE:
            raise ValueError("Invalid include sections: %s. Valid options: %s"
                             % (include - LOAD_VALID_INCLUDE, sorted(LOAD_VALID_INCLUDE)))
        if include == {"core"}:
            return load
        include_all = False
    for field, name in LOAD_SECTIONS:
        if snapshot[field] is None or (not include_all and name not in include):
            continue
        load[field] = dict(snapshot[field])
    return load


def loads_prometheus(loads):
    """SGLang 0.5.23's `_format_loads_prometheus` (entrypoints/v1_loads.py)."""
    prefixes = {"speculative": "spec", "disaggregation": "disagg"}
    samples = {}
    for load in loads:
        load = dict(load)
        rank = load.pop("dp_rank")
        for key, value in load.items():
            if isinstance(value, dict):
                for sub_key, sub_value in value.items():
                    if isinstance(sub_value, (int, float)):
                        samples.setdefault("sglang_%s_%s" % (prefixes.get(key, key), sub_key),
                                           []).append((rank, sub_value))
            elif isinstance(value, (int, float)):
                samples.setdefault("sglang_" + key, []).append((rank, value))
    lines = []
    for name, values in samples.items():
        lines.append("# TYPE %s gauge" % name)
        lines += ['%s{dp_rank="%s"} %s' % (name, rank, value) for rank, value in values]
    return ("\n".join(lines) + "\n").encode()


def make_handler(state):
    model = state.opts.get("served-model-name") or state.opts.get("model-path", "model")
    api_key = state.opts.get("api-key")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # TCP_NODELAY, as uvicorn sets it: the headers and the body go in two writes, and Nagle's
        # wait for the client's delayed ACK would add about 40 ms to every answer
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):
            sys.stderr.write("double: " + fmt % args + "\n")

        def parse_request(self):
            self._body = None  # one handler serves every request of a kept-alive connection
            self.bad_framing = False
            return super().parse_request()

        def body(self):
            """The request's body, read once: `Transfer-Encoding: chunked` (which wins over
            Content-Length, RFC 9112 6.3) decoded as uvicorn does, else Content-Length bytes.
            Framing that cannot be read marks the request bad (send() answers 400 and closes,
            as uvicorn does)."""
            if self._body is not None:
                return self._body
            self._body = b""
            try:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    data = bytearray()
                    while True:
                        line = self.rfile.readline(65537)
                        size = int(line.split(b";", 1)[0].strip(), 16)
                        if size == 0:
                            break
                        data += self.rfile.read(size)
                        if self.rfile.readline(65537).strip():
                            raise ValueError("chunk longer than its size")
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    self._body = bytes(data)
                else:
                    self._body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            except ValueError:
                self.bad_framing = True
            return self._body

        def send(self, code, body, ctype="application/json"):
            self.body()  # an early answer (401, 404) still reads the request's body
            if self.bad_framing:
                self.close_connection = True
                code, body, ctype = 400, b"Invalid HTTP request received.", "text/plain"
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def authorised(self):
            if not api_key or self.path.startswith(("/health", "/ready", "/metrics")):
                return True
            scheme, _sep, token = (self.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() == "bearer" and token == api_key:
                return True
            self.send(401, {"error": "Unauthorized"})
            return False

        def ready(self):
            return not state.stopping and state.joined.is_set() and time.time() >= state.ready_at

        def do_GET(self):
            path, _sep, query = self.path.partition("?")
            if state.node_rank >= 1:  # SGLang's stub: 200 whatever the schedulers do
                return self.send(200 if path in ("/health", "/health_generate", "/ping")
                                 else 404, b"", "text/plain")
            if not self.authorised():
                return
            if path in ("/health", "/health_generate"):
                return self.send(200 if self.ready() else 503, b"", "text/plain")
            if not self.ready():
                return self.send(503, {"error": "server is starting"})
            if path == "/v1/models":
                return self.send(200, {"object": "list", "data": [{
                    "id": model, "object": "model", "created": int(time.time()),
                    "owned_by": "sglang", "root": model, "parent": None,
                    "max_model_len": int(state.opts.get("context-length", 0) or 0)}]})
            if path == "/v1/loads":
                return self.loads(query)
            if path in ("/model_info", "/get_model_info"):
                return self.send(200, {"model_path": state.opts.get("model-path"),
                                       "tokenizer_path": state.opts.get("model-path"),
                                       "is_generation": True})
            if path in ("/server_info", "/get_server_info"):
                # SGLang returns its resolved server arguments, api_key among them
                info = {k.replace("-", "_"): v for k, v in state.opts.items()}
                info["max_total_num_tokens"] = MAX_TOTAL_NUM_TOKENS
                info["version"] = __version__
                return self.send(200, info)
            if path == "/metrics":
                if "enable-metrics" not in state.opts:
                    return self.send(404, {"detail": "Not Found"})
                return self.send(200, metrics_text(state).encode(),
                                 "text/plain; version=0.0.4; charset=utf-8")
            return self.send(404, {"detail": "Not Found"})

        def loads(self, query):
            """GET /v1/loads as SGLang 0.5.23 answers it: python/sglang/srt/entrypoints/
            v1_loads.py, `get_loads` (PyPI wheel sglang==0.5.23; 0.5.17 the same shape). Query
            `dp_rank` (an int; 422 otherwise, as FastAPI; a rank out of range gives no loads),
            `include` (comma-separated sections, default all; an unknown one raises in
            to_dict, outside the handler's try: 500), `format=prometheus`. No
            dp_rank_count/aggregate keys: those were an earlier SGLang's."""
            params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))  # last wins
            dp_rank = params.get("dp_rank")
            if dp_rank is not None:
                try:
                    dp_rank = int(dp_rank.strip())
                except ValueError:
                    return self.send(422, {"detail": [{
                        "type": "int_parsing", "loc": ["query", "dp_rank"],
                        "msg": "Input should be a valid integer, unable to parse string as an "
                               "integer", "input": params["dp_rank"]}]})
            include = params.get("include")
            include = {s.strip() for s in include.split(",")} if include else None
            snapshots = load_snapshots(state)
            if dp_rank is not None:
                snapshots = [s for s in snapshots if s["dp_rank"] == dp_rank]
            try:
                loads = [load_to_dict(s, include) for s in snapshots]
            except ValueError:
                return self.send(500, b"Internal Server Error", "text/plain; charset=utf-8")
            if params.get("format") == "prometheus":
                return self.send(200, loads_prometheus(loads),
                                 "text/plain; version=0.0.4; charset=utf-8")
            tp = int(state.opts.get("tp-size") or state.opts.get("tensor-parallel-size") or 1)
            pp = int(state.opts.get("pp-size") or state.opts.get("pipeline-parallel-size") or 1)
            attn_dp = int(state.opts.get("attn-dp-size") or 1)
            return self.send(200, {
                "timestamp": datetime.now(UTC).isoformat(),
                "version": __version__,
                # torch's device name on a GPU host; SGLang's get_device_name() is None without
                # an accelerator, as where the double runs
                "accelerator": None,
                "num_accelerators": tp * pp // attn_dp if attn_dp > 1 else tp * pp,
                "loads": loads})

        def read_json(self):
            try:
                return json.loads(self.body() or b"{}")
            except ValueError:
                return None

        def do_POST(self):
            if state.node_rank >= 1:
                return self.send(404, {"detail": "Not Found"})
            if not self.authorised():
                return
            body = self.read_json()
            if body is None:
                return self.send(400, {"error": "invalid JSON"})
            if not self.ready():
                return self.send(503, {"error": "server is starting"})
            path = self.path.split("?")[0]
            if path == "/flush_cache":  # SGLang's answer when nothing runs (http_server.py)
                with state.lock:
                    idle = state.inflight == 0
                answer = b"Cache flushed.\n" if idle else b"Flush cache failed.\n"
                return self.send(200 if idle else 400, answer, "text/plain")
            if path not in ("/v1/chat/completions", "/v1/completions", "/generate"):
                return self.send(404, {"detail": "Not Found"})
            with state.lock:
                state.inflight += 1
                state.answered += 1
                hang = 0 <= fault("SGLANG_DOUBLE_HANG_AFTER", -1) < state.answered
            try:
                if hang or os.path.exists(stall_file()):
                    # generation is dead; the connection stays open, nothing comes back
                    while not state.stopping:
                        time.sleep(0.5)
                    return None
                answer = self.infer(path, body)
                with state.lock:
                    state.tokens += 3 if path == "/v1/chat/completions" else 2
                return answer
            finally:
                with state.lock:
                    state.inflight -= 1

        def infer(self, path, body):
            tokens = 3 if path == "/v1/chat/completions" else 2
            time.sleep(fault("SGLANG_DOUBLE_TOKEN_SECONDS", 0.01) * tokens)
            if path == "/v1/chat/completions":
                return self.chat(body)
            if path == "/v1/completions":
                return self.send(200, {"id": uuid.uuid4().hex, "object": "text_completion",
                                       "model": model, "choices": [{
                                           "index": 0, "text": " double text",
                                           "finish_reason": "length"}],
                                       "usage": self.usage(4, 2)})
            return self.generate(body)

        @staticmethod
        def usage(prompt, completion):
            return {"prompt_tokens": prompt, "completion_tokens": completion,
                    "total_tokens": prompt + completion}

        def chat(self, body):
            messages = body.get("messages") or []
            if not messages:
                return self.send(400, {"object": "error", "message": "messages is empty"})
            images = sum(1 for m in messages if isinstance(m.get("content"), list)
                         for part in m["content"] if part.get("type") == "image_url")
            if images and "enable-multimodal" not in state.opts:
                return self.send(400, {"object": "error", "type": "BadRequestError",
                                       "message": "image input is disabled: start with "
                                                  "--enable-multimodal"})
            message = {"role": "assistant", "content": "double reply", "tool_calls": None}
            finish = "stop"
            tools = body.get("tools") or []
            if tools:
                if "tool-call-parser" not in state.opts:
                    message["content"] = "[%s()]" % tools[0]["function"]["name"]
                else:
                    name = tools[0]["function"]["name"]
                    message = {"role": "assistant", "content": None, "tool_calls": [{
                        "id": "call_" + uuid.uuid4().hex[:12], "type": "function", "index": 0,
                        "function": {"name": name, "arguments": json.dumps({"city": "Paris"})}}]}
                    finish = "tool_calls"
            elif images:
                message["content"] = "I see %d image(s)." % images
            elif "Let's think step by step." in str(messages[-1].get("content")):
                # a multiple-choice prompt (MMLU-Pro's format): always the second option (or
                # SGLANG_DOUBLE_ANSWER's), so a test knows the score its data should get
                message["content"] = "Adding them up. The answer is (%s)." % os.environ.get(
                    "SGLANG_DOUBLE_ANSWER", "B")
            return self.send(200, {
                "id": uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "message": message,
                                             "finish_reason": finish}],
                "usage": self.usage(12, 3)})

        def generate(self, body):
            params = body.get("sampling_params") or {}
            n = int(params.get("max_new_tokens", 8))
            if not body.get("stream"):
                return self.send(200, {"text": " x" * n, "meta_info": {
                    "prompt_tokens": 8, "completion_tokens": n, "e2e_latency": 0.01}})
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            text = ""
            per_token = fault("SGLANG_DOUBLE_TOKEN_SECONDS", 0.01)
            # a prefill, then a token at a time: TTFT, ITL and throughput all scale with the knob
            time.sleep(PREFILL_TOKENS * per_token)
            for i in range(n):
                text += " x"
                chunk = {"text": text, "meta_info": {"prompt_tokens": 8, "completion_tokens": i + 1}}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
                time.sleep(per_token)
            self.wfile.write(b"data: [DONE]\n\n")
            self.close_connection = True

    return Handler


def rendezvous_address(state):
    host, _sep, port = str(state.opts.get("dist-init-addr", "")).rpartition(":")
    return host.strip("[]"), int(port)


def lead_rendezvous(state, peers):
    """Rank 0: accept every other rank, then load; a peer gone without rank 0's shutdown
    broadcast is a failed collective: exit 1."""
    listener = socket.create_server(rendezvous_address(state), reuse_port=False)
    nnodes = int(state.opts.get("nnodes", 1))
    while len(peers) < nnodes - 1:
        conn, addr = listener.accept()
        peers.append(conn)
        sys.stderr.write("double: rank %d of %d joined from %s\n" % (len(peers), nnodes, addr[0]))
    state.ready_at = time.time() + load_seconds()
    state.joined.set()
    for conn in peers:
        threading.Thread(target=watch_peer, args=(state, conn), daemon=True).start()


def watch_peer(state, conn):
    conn.recv(1)  # a peer never sends: this returns when it is gone
    if not state.stopping:
        sys.stderr.write("double: a rank >= 1 is gone: collective failed\n")
        os._exit(1)


def join_rendezvous(state):
    """Rank >= 1: connect to rank 0 (retrying, as torch's TCPStore client does), load, then
    wait for rank 0's shutdown broadcast (exit 0) or its loss (exit 1)."""
    while True:
        try:
            conn = socket.create_connection(rendezvous_address(state), timeout=5)
            break
        except OSError:
            time.sleep(1)
    conn.settimeout(None)
    sys.stderr.write("double: node_rank %d joined rank 0\n" % state.node_rank)
    state.ready_at = time.time() + load_seconds()
    state.joined.set()
    message = conn.recv(64)
    if message.startswith(b"shutdown"):
        sys.stderr.write("double: ShutdownReq from rank 0: schedulers stopped\n")
        os._exit(0)
    sys.stderr.write("double: rank 0 is gone without a shutdown: collective failed\n")
    os._exit(1)


def fault(name, default):
    """A fault knob of the environment (the module docstring), as a number."""
    return float(os.environ.get(name, default))


class Server(ThreadingHTTPServer):
    """uvicorn's listen backlog (2048), as SGLang's HTTP server has it: with the standard
    library's 5, a burst of concurrent connections gets a dropped SYN and a 1 s retransmit."""
    request_queue_size = 2048


def stall_file():
    """One per server: the servers of a host share their unit's state directory."""
    default = os.path.join(os.environ.get("STATE_DIRECTORY", "/nonexistent"),
                           "stall-%s" % STALL_PORT[0])
    return os.environ.get("SGLANG_DOUBLE_STALL_FILE", default)


STALL_PORT = ["0"]  # this server's port, set at start


def metrics_text(state):
    """Some of SGLang 0.5.17's families, with its labels (a scheduler's and the tokenizer's)."""
    model = state.opts.get("served-model-name") or state.opts.get("model-path", "")
    sched = 'engine_type="unified",model_name="%s",moe_ep_rank="0",pp_rank="0",tp_rank="0"' % model
    tok = 'engine_type="unified",model_name="%s"' % model
    lines = []
    for name, kind, labels, value in (
            ("sglang:num_running_reqs", "gauge", sched, state.inflight),
            ("sglang:num_queue_reqs", "gauge", sched, 0),
            ("sglang:token_usage", "gauge", sched, 0.01 * min(state.inflight, 100)),
            ("sglang:realtime_tokens_total", "counter", sched + ',mode="decode"', state.tokens),
            ("sglang:generation_tokens_total", "counter", tok, state.tokens),
            ("sglang:prompt_tokens_total", "counter", tok, 4 * state.answered),
            ("sglang:num_requests_total", "counter", tok, state.answered)):
        lines += ["# TYPE %s %s" % (name.replace("_total", "") if kind == "counter" else name, kind),
                  "%s{%s} %s" % (name, labels, float(value))]
    return "\n".join(lines) + "\n"


def load_seconds():
    return float(os.environ.get("SGLANG_DOUBLE_LOAD_SECONDS", "3"))


def record_path():
    if os.environ.get("SGLANG_DOUBLE_RECORD"):
        return os.environ["SGLANG_DOUBLE_RECORD"]
    base = os.environ.get("STATE_DIRECTORY", "/tmp").split(":")[0]
    return os.path.join(base, "launch-args.json")


USAGE = """usage: sglang serve [-h] [--config CONFIG] --model-path MODEL_PATH [--host HOST]
                    [--port PORT] [--tp-size TP_SIZE] [--context-length CONTEXT_LENGTH]
                    [--mem-fraction-static MEM_FRACTION_STATIC] [--api-key API_KEY] ...

TEST DOUBLE of SGLang %s's server (llmops.sglang tests): takes SGLang's flags, serves its
response shapes, loads no model.
""" % __version__


def leave_an_orphan(port):
    """SGLANG_DOUBLE_ORPHAN: a child holding the bound port that outlives the server."""
    child = os.fork()
    if child == 0:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            while True:
                time.sleep(3600)
        finally:
            os._exit(0)  # never back into the server's code
    base = os.environ.get("STATE_DIRECTORY", "/tmp").split(":")[0]
    with open(os.path.join(base, "orphan-%d.pid" % port), "w") as handle:
        handle.write("%d\n" % child)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--help" in argv or "-h" in argv:  # argparse prints the usage and exits 0
        sys.stdout.write(USAGE)
        return 0
    merged, config_keys = merge_config(argv)
    state = State()
    state.opts = options(merged)
    record = {"argv": argv, "merged": [("<redacted>" if i and merged[i - 1] == "--api-key" else a)
                                       for i, a in enumerate(merged)],
              "config_keys": config_keys, "pid": os.getpid(), "started": time.time()}
    with open(record_path(), "w") as handle:
        json.dump(record, handle, indent=1)
    STALL_PORT[0] = str(state.opts.get("port", 30000))
    if os.path.exists(stall_file()):
        os.remove(stall_file())
    # SGLang logs its whole arguments at start, the API key among them (0.5.17, 0.5.23)
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(message)s", force=True)
    # one pre-formatted message, as SGLang's f-string (the launcher's redaction reads record.msg)
    message = "server_args=%s" % {k.replace("-", "_"): v for k, v in state.opts.items()}
    logging.getLogger("sglang.srt.entrypoints.engine").info(message)
    state.node_rank = int(state.opts.get("node-rank", 0))
    state.joined = threading.Event()
    peers = []
    if int(state.opts.get("nnodes", 1)) > 1:
        rendezvous = lead_rendezvous if state.node_rank == 0 else join_rendezvous
        threading.Thread(target=rendezvous, args=(state, peers) if state.node_rank == 0
                         else (state,), daemon=True).start()
    else:
        never = fault("SGLANG_DOUBLE_NEVER_READY", 0)
        state.ready_at = float("inf") if never else time.time() + load_seconds()
        state.joined.set()
    if state.node_rank >= 1:  # SGLang starts a rank's stub server once its schedulers are ready
        state.joined.wait()
        time.sleep(max(0.0, state.ready_at - time.time()))
    host = state.opts.get("host", "127.0.0.1")
    port = int(state.opts.get("port", 30000))
    server = Server((host, port), make_handler(state))
    server.daemon_threads = True
    if fault("SGLANG_DOUBLE_ORPHAN", 0):
        leave_an_orphan(port)

    def stop(signum, frame):
        if state.node_rank >= 1 and not state.joined.is_set():
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not yet handled: SIGTERM kills
            os.kill(os.getpid(), signal.SIGTERM)
        if state.node_rank >= 1:  # SGLang 0.5.23: only rank 0's broadcast stops this rank
            logging.getLogger("sglang.srt.entrypoints.engine").warning(
                "SIGTERM received on node_rank %d; waiting for the rank-0 ShutdownReq broadcast "
                "to stop the schedulers.", state.node_rank)
            return
        state.stopping = True
        for conn in peers:  # the ShutdownReq broadcast
            try:
                conn.sendall(b"shutdown")
            except OSError:
                pass
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    sys.stderr.write("double: serving %s on %s:%d\n" % (state.opts.get("model-path"), host, port))
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
