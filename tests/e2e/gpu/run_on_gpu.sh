#!/usr/bin/env bash
# On the lent GPU machine, after the wheelhouse parts were carried to /var/tmp/wh (see README):
# deploy.yml (preflight, install offline, weights, service files), start the unit's ExecStart,
# deploy.yml's smoke checks, a short bench_serving run; everything lands in $OUT.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$ROOT" || exit 1
bash scripts/link-collection || exit 1  # FQCNs resolve through it (ansible.cfg)
OUT=${OUT:-/var/tmp/e2e-out}; mkdir -p "$OUT" /var/tmp/e2e /var/tmp/wh
A=$OUT/artifacts; mkdir -p "$A"
for d in .e2e/part*; do [ -d "$d" ] && cp "$d"/*.whl /var/tmp/wh/; done
[ -f .e2e/tiny-llama4.tgz ] && tar -C /var/tmp/e2e -xzf .e2e/tiny-llama4.tgz
{ date -u; nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  python3 -V; python3 -c 'import torch; print("torch", torch.__version__)'; cat /etc/os-release | head -2; } > "$A/machine.txt" 2>&1
E2E_TORCH_SITE=$(python3 -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
export E2E_TORCH_SITE
python3 -c 'import ensurepip' 2>/dev/null || export E2E_NO_ENSUREPIP=1
python3 -m pip install -q --no-index --no-deps --target /var/tmp/ansible-site /var/tmp/wh/ansible_core-*.whl /var/tmp/wh/resolvelib-*.whl
export PYTHONPATH=/var/tmp/ansible-site ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default
AP="python3 /var/tmp/ansible-site/bin/ansible-playbook -i tests/e2e/gpu/inventory.yml"
rm -f /var/tmp/e2e/sglang.log
$AP deploy.yml --tags sglang_install,sglang_weights,sglang_service > "$A/deploy.log" 2>&1; echo "deploy rc=$?" | tee -a "$A/summary.txt"
cp /etc/systemd/system/sglang-main.service "$A/" 2>/dev/null
sed 's/^api-key: .*/api-key: <redacted>/' /etc/sglang/main.yaml > "$A/main.yaml" 2>/dev/null
unset PYTHONPATH
t0=$(date +%s)
timeout 420 python3 tests/e2e/gpu/start_from_unit.py /etc/systemd/system/sglang-main.service /var/tmp/e2e/sglang.log > "$A/start.log" 2>&1
echo "start rc=$? after $(( $(date +%s) - t0 )) s" | tee -a "$A/summary.txt"
export PYTHONPATH=/var/tmp/ansible-site
$AP deploy.yml --tags sglang_smoke > "$A/smoke.log" 2>&1; echo "smoke rc=$?" | tee -a "$A/summary.txt"
# the reply itself (the smoke role hides it: the request carries the API key)
curl -s -m 60 -H "Authorization: Bearer e2e-secret-key" -H 'Content-Type: application/json' \
  -d '{"model": "tiny-llama4", "messages": [{"role": "user", "content": "Say hello in one word."}], "max_tokens": 16, "temperature": 0}' \
  http://127.0.0.1:30000/v1/chat/completions > "$A/chat-reply.json"
curl -s -m 10 -o /dev/null -w '%{http_code}\n' http://127.0.0.1:30000/v1/models > "$A/models-without-key.txt"
$AP deploy.yml --tags sglang_install,sglang_weights,sglang_service > "$A/deploy-second-run.log" 2>&1
echo "second deploy rc=$? $(grep -Eo 'changed=[0-9]+' "$A/deploy-second-run.log" | tail -1)" | tee -a "$A/summary.txt"
unset PYTHONPATH
# playbooks/bench.yml: SGLang's bench_serving (latency profile, from the service's venv) against
# the running server, the results and the report (with plots) written on this controller
python3 -m pip install -q --no-index --no-deps --target /var/tmp/ansible-site .e2e/report/*.whl
export PYTHONPATH=/var/tmp/ansible-site
$AP playbooks/bench.yml -e '{"sglang_bench_run_profiles": ["latency"]}' -e sglang_cluster=e2e-h100 \
  -e sglang_reports_root="$A/reports" > "$A/bench.log" 2>&1
echo "bench.yml rc=$? $(grep -Eo 'gpu-local *: ok=[0-9]+ *changed=[0-9]+' "$A/bench.log" | tail -1)" | tee -a "$A/summary.txt"
runs=("$A"/reports/e2e-h100/*)  # the first run (sorted by its timestamp) is the baseline
$AP playbooks/bench.yml -e '{"sglang_bench_run_profiles": ["latency"]}' -e sglang_cluster=e2e-h100 \
  -e sglang_reports_root="$A/reports" -e bench_baseline="${runs[0]}" \
  -e bench_regression_pct=25 > "$A/bench-against-baseline.log" 2>&1
echo "bench.yml against the first run rc=$? $(grep -Eo 'gpu-local *: ok=[0-9]+ *changed=[0-9]+' "$A/bench-against-baseline.log" | tail -1)" | tee -a "$A/summary.txt"
unset PYTHONPATH
grep -rl "e2e-secret-key" "$A/reports" > "$A/secret-in-reports.txt"
echo "files holding the API key: $(wc -l < "$A/secret-in-reports.txt"); redacted fields: $(grep -rho "<redacted>" "$A/reports" | wc -l)" | tee -a "$A/summary.txt"
echo "server log: $(grep -c 'server_args=' /var/tmp/e2e/sglang.log) server_args line(s), $(grep -c 'e2e-secret-key' /var/tmp/e2e/sglang.log) holding the API key" | tee -a "$A/summary.txt"
grep -E "max_total_num_tokens|KV Cache is allocated|fired up|Load weight end|mem_fraction|Traceback|Error" /var/tmp/e2e/sglang.log | head -40 > "$A/sglang-key-lines.txt"
cp /var/tmp/e2e/sglang.log "$A/sglang.log"
kill "$(cat /var/tmp/e2e/sglang.log.pid)" 2>/dev/null
tar -C "$OUT" -czf "$OUT/e2e-artifacts.tgz" artifacts && rm -rf "$A"
cat "$OUT"/../summary.txt 2>/dev/null; tar -xzOf "$OUT/e2e-artifacts.tgz" artifacts/summary.txt artifacts/sglang-key-lines.txt
