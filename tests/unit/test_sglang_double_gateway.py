"""The SGLang server double (tests/doubles/sglang_server) as a gateway's worker: what the Shepherd
Model Gateway (smg 1.13.0) calls on each worker and how it sends requests. GET /v1/loads in
SGLang 0.5.23's shape (python/sglang/srt/entrypoints/v1_loads.py), Bearer-gated; request bodies
sent with `Transfer-Encoding: chunked` (smg streams them with --disable-retries or past 1 MiB); a
body is read before an early 401/404, so the next request on a kept-alive connection is answered.
The last test runs the real smg in front of the double, where /tmp/smg-venv holds it."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from helpers import ROOT

DOUBLE = os.path.join(ROOT, "tests", "doubles", "sglang_server", "sglang", "launch_server.py")
KEY = "double-gateway-key-4242"
MODEL = "tiny-llama4"
SMG = "/tmp/smg-venv/bin/smg"

# SGLang 0.5.23's LoadSnapshot core keys, in order (managers/load_snapshot.py), then the sections
# its scheduler fills (load_inquirer.py: memory, disaggregation and queues; speculative and lora
# only with speculative decoding or LoRA)
CORE = ["timestamp", "dp_rank", "num_running_reqs", "num_waiting_reqs",
        "num_waiting_uncached_tokens", "num_used_tokens", "num_total_tokens", "num_active_tokens",
        "num_prealloc_ready_tokens", "max_total_num_tokens", "max_running_requests", "token_usage",
        "gen_throughput", "cache_hit_rate", "utilization", "total_prefill_uncached_tokens",
        "total_prefill_busy_us", "decode_moments"]
CHAT = {"model": MODEL, "messages": [{"role": "user", "content": "Say hi."}], "max_tokens": 8}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, key=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": "Bearer " + key} if key else {})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()


def read_response(reader):
    """One response with a Content-Length off a connection's reader: (status, body)."""
    status = int(reader.readline().split()[1])
    length = 0
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _sep, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, reader.read(length)


def start_double(tmp_path, *extra, env=None):
    port = free_port()
    log = open(tmp_path / ("double-%d.log" % port), "w")
    proc = subprocess.Popen(
        [sys.executable, DOUBLE, "--model-path", str(tmp_path / MODEL), "--served-model-name",
         MODEL, "--host", "127.0.0.1", "--port", str(port), *extra],
        env=dict(os.environ, SGLANG_DOUBLE_LOAD_SECONDS="0",
                 SGLANG_DOUBLE_RECORD=str(tmp_path / ("launch-args-%d.json" % port)),
                 **(env or {})),
        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.time() + 20
    while True:
        try:
            if get(port, "/health", timeout=2)[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("the double did not come up: " + (tmp_path / ("double-%d.log" % port))
                        .read_text())
        time.sleep(0.1)
    return proc, port, tmp_path / ("double-%d.log" % port)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    proc, port, log = start_double(tmp_path_factory.mktemp("keyed"), "--api-key", KEY, "--enable-metrics")
    yield port
    stop(proc)


@pytest.fixture(scope="module")
def keyless(tmp_path_factory):
    proc, port, log = start_double(tmp_path_factory.mktemp("keyless"))
    yield port
    stop(proc)


def test_double_v1_loads_is_bearer_gated_as_sglangs_other_routes(keyed):
    assert get(keyed, "/v1/loads")[0] == 401
    assert get(keyed, "/v1/loads?include=core", key="wrong")[0] == 401
    status, ctype, body = get(keyed, "/v1/loads", key=KEY)
    assert status == 200 and ctype == "application/json"
    # SGLang 0.5.23 (utils/auth.py): the scheme in any case; /health* and /metrics open
    conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=10)
    conn.request("GET", "/v1/loads", headers={"Authorization": "bearer " + KEY})
    assert conn.getresponse().status == 200
    conn.close()
    assert get(keyed, "/health")[0] == 200 and get(keyed, "/metrics")[0] == 200


def test_double_v1_loads_answers_sglang_0_5_23s_shape(keyed, keyless):
    for port, key in ((keyed, KEY), (keyless, None)):
        status, _ctype, body = get(port, "/v1/loads", key=key)
        assert status == 200
        out = json.loads(body)
        assert list(out) == ["timestamp", "version", "accelerator", "num_accelerators", "loads"]
        assert out["version"] == "0.5.23+double" and out["timestamp"].endswith("+00:00")
        assert out["accelerator"] is None and out["num_accelerators"] == 1
        [load] = out["loads"]
        assert list(load) == CORE + ["memory", "disaggregation", "queues"]
        assert load["dp_rank"] == 0 and load["num_running_reqs"] == 0
        assert load["max_total_num_tokens"] == 123456 and load["decode_moments"] is None
        assert load["disaggregation"]["mode"] == "null"
        assert load["memory"]["token_capacity"] == 123456
        assert list(load["queues"]) == ["waiting", "grammar", "paused", "retracted",
                                        "prealloc_ready"]


def test_double_v1_loads_query_include_dp_rank_and_format(keyed):
    def loads(query):
        status, _ctype, body = get(keyed, "/v1/loads?" + query, key=KEY)
        return status, (json.loads(body) if status in (200, 422) else body)

    # what smg asks for
    status, out = loads("include=core,disagg,queues,memory")
    assert status == 200 and list(out["loads"][0]) == CORE + ["memory", "disaggregation", "queues"]
    assert list(loads("include=core")[1]["loads"][0]) == CORE
    assert list(loads("include=queues")[1]["loads"][0]) == CORE + ["queues"]
    assert list(loads("include=all")[1]["loads"][0])[-1] == "queues"
    assert len(loads("dp_rank=0")[1]["loads"]) == 1
    assert loads("dp_rank=1")[1]["loads"] == []  # a rank the server does not have
    status, out = loads("dp_rank=first")
    assert status == 422 and out["detail"][0]["loc"] == ["query", "dp_rank"]
    # SGLang 0.5.23 raises for an unknown section outside its handler's try: 500
    assert loads("include=core,bogus") == (500, b"Internal Server Error")
    status, ctype, text = get(keyed, "/v1/loads?format=prometheus&include=core", key=KEY)
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    assert b'# TYPE sglang_num_running_reqs gauge\nsglang_num_running_reqs{dp_rank="0"} 0\n' in text


def test_double_v1_loads_counts_the_requests_in_flight(keyed):
    conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=30)
    conn.request("POST", "/generate", body=json.dumps({
        "text": "hi", "stream": True, "sampling_params": {"max_new_tokens": 1500}}),
        headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 200 and response.readline().startswith(b"data: ")
    during = json.loads(get(keyed, "/v1/loads?include=core", key=KEY)[2])
    assert during["loads"][0]["num_running_reqs"] == 1
    assert b"data: [DONE]" in response.read()
    conn.close()
    after = json.loads(get(keyed, "/v1/loads?include=core", key=KEY)[2])
    assert after["loads"][0]["num_running_reqs"] == 0


def test_double_v1_models_as_smg_reads_it(keyed):
    status, _ctype, body = get(keyed, "/v1/models", key=KEY)
    [card] = json.loads(body)["data"]
    # smg detects the backend from owned_by and names the worker's model from data[0].id
    assert status == 200 and card["owned_by"] == "sglang" and card["id"] == MODEL
    assert list(card) == ["id", "object", "created", "owned_by", "root", "parent", "max_model_len"]


def test_double_reads_a_chunked_request_body(keyed):
    body = json.dumps(CHAT).encode()
    conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=10)
    # an iterable body without Content-Length: http.client frames it chunked, as smg does
    conn.request("POST", "/v1/chat/completions", body=iter([body[:7], body[7:30], body[30:]]),
                 headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"},
                 encode_chunked=True)
    response = conn.getresponse()
    out = json.loads(response.read())
    assert response.status == 200, out
    assert out["choices"][0]["message"]["content"] == "double reply"
    conn.close()
    # by hand: a chunk extension, then a trailer field, then a second request on the connection
    with socket.create_connection(("127.0.0.1", keyed), timeout=10) as sock:
        head = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" % KEY)
        sock.sendall(head.encode() + b"%x;ext=1\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (len(body), body))
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n"
                     % KEY.encode())
        reader = sock.makefile("rb")
        for path in ("/v1/chat/completions", "/v1/models"):
            status, body = read_response(reader)
            assert status == 200, (path, body)


def test_double_chunked_framing_it_cannot_read_is_a_400_and_a_closed_connection(keyed):
    with socket.create_connection(("127.0.0.1", keyed), timeout=10) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                     + KEY.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 400 ") and reply.endswith(b"\r\n\r\nInvalid HTTP request received.")


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_double_early_401_or_404_keeps_a_kept_alive_connection_in_step(keyed, framing):
    body = json.dumps(CHAT).encode()
    conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=10)

    def post(path, key):
        headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
        if framing == "chunked":
            conn.request("POST", path, body=iter([body[:10], body[10:]]), headers=headers,
                         encode_chunked=True)
        else:
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Connection"), response.read()

    status, connection, out = post("/v1/chat/completions", "wrong-key")
    assert (status, connection, json.loads(out)) == (401, None, {"error": "Unauthorized"})
    sock = conn.sock
    assert post("/v1/no-such-route", KEY)[0] == 404
    status, _connection, out = post("/v1/chat/completions", KEY)
    assert status == 200, out
    assert conn.sock is sock  # the same connection answered all three
    conn.close()


@pytest.mark.skipif(not os.path.exists(SMG), reason="smg not installed at %s" % SMG)
def test_double_behind_the_real_smg_gateway(tmp_path):
    double, port, double_log = start_double(tmp_path, "--api-key", KEY)
    gateway_port = free_port()
    smg_log = open(tmp_path / "smg.log", "w")
    # --disable-retries: smg streams the request bodies to the worker chunked
    smg = subprocess.Popen(
        [SMG, "launch", "--host", "127.0.0.1", "--port", str(gateway_port),
         "--worker-urls", "http://127.0.0.1:%d" % port, "--policy", "round_robin",
         "--api-key", KEY, "--disable-retries", "--load-monitor-interval", "1",
         "--health-check-interval-secs", "1", "--worker-startup-check-interval", "1",
         "--prometheus-host", "127.0.0.1", "--prometheus-port", str(free_port()),
         "--shutdown-grace-period-secs", "1", "--log-level", "debug"],
        stdout=smg_log, stderr=subprocess.STDOUT)
    smg_log.close()
    try:
        deadline = time.time() + 60
        while True:
            try:
                if get(gateway_port, "/readiness", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert smg.poll() is None and time.time() < deadline, (tmp_path / "smg.log").read_text()
            time.sleep(0.2)
        for _request in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", gateway_port, timeout=30)
            conn.request("POST", "/v1/chat/completions", body=json.dumps(CHAT),
                         headers={"Authorization": "Bearer " + KEY,
                                  "Content-Type": "application/json"})
            response = conn.getresponse()
            out = response.read()
            assert response.status == 200, out
            assert json.loads(out)["choices"][0]["message"]["content"] == "double reply"
            conn.close()
        # smg polls /v1/loads (not /metrics) once the worker answers it, and reads it
        deadline = time.time() + 30
        while True:
            status, _ctype, body = get(gateway_port, "/get_loads", key=KEY)
            loads = json.loads(body)["loads"] if status == 200 else []
            if loads and b"GET /v1/loads?include=" in double_log.read_bytes():
                break
            assert time.time() < deadline, (status, body, double_log.read_text())
            time.sleep(0.5)
        assert loads[0]["worker"] == "http://127.0.0.1:%d" % port
        assert loads[0]["max_total_num_tokens"] == 123456
        served = double_log.read_text()
        assert '"POST /v1/chat/completions HTTP/1.1" 200' in served
        assert '"GET /v1/loads?include=core,disagg,queues,memory HTTP/1.1" 200' in served
        assert " 400 " not in served and " 501 " not in served
    finally:
        smg.send_signal(signal.SIGTERM)
        try:
            smg.wait(timeout=20)
        except subprocess.TimeoutExpired:
            smg.kill()
            smg.wait()
        stop(double)


def test_double_serves_requests_concurrently_while_loads_are_polled(keyed):
    """A gateway polls /v1/loads while clients' requests run: the threads share one count."""
    errors = []

    def chat():
        try:
            conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=10)
            for _i in range(10):
                conn.request("POST", "/v1/chat/completions", body=json.dumps(CHAT),
                             headers={"Authorization": "Bearer " + KEY})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(response.status)
            conn.close()
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=chat) for _i in range(4)]
    for thread in threads:
        thread.start()
    for _i in range(10):
        assert get(keyed, "/v1/loads?include=core", key=KEY)[0] == 200
    for thread in threads:
        thread.join()
    assert errors == []
    assert json.loads(get(keyed, "/v1/loads", key=KEY)[2])["loads"][0]["num_running_reqs"] == 0


def test_double_orphan_knob_leaves_a_child_holding_the_port(tmp_path):
    """SGLANG_DOUBLE_ORPHAN: after the server exits on SIGTERM, its child still holds the port
    (what the rollout's port check and the unit's KillMode=mixed are for)."""
    proc, port, _log = start_double(tmp_path, env={"SGLANG_DOUBLE_ORPHAN": "1",
                                                   "STATE_DIRECTORY": str(tmp_path)})
    orphan = int((tmp_path / ("orphan-%d.pid" % port)).read_text())
    try:
        stop(proc)
        assert proc.returncode == 0
        os.kill(orphan, 0)  # alive
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # the port still takes connections
    finally:
        os.kill(orphan, signal.SIGKILL)


def test_double_flush_cache_as_sglang_0_5_23_answers_it(keyed):
    """POST /flush_cache (http_server.py, AuthLevel.ADMIN_OPTIONAL: the API key when no admin key
    is set): 200 and SGLang's text when nothing runs; what the rollout's canary sends per run."""
    def flush(key):
        conn = http.client.HTTPConnection("127.0.0.1", keyed, timeout=10)
        try:
            conn.request("POST", "/flush_cache", headers={"Authorization": "Bearer " + key} if key else {})
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        finally:
            conn.close()
    assert flush(None)[0] == 401 and flush("wrong")[0] == 401
    assert flush(KEY) == (200, "text/plain", b"Cache flushed.\n")
