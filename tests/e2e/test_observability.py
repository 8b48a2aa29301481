"""Issue 13, observability: a request id followed from the HTTP request through the RPC and
an event handler in another service, JSON log lines, refusals at INFO without a traceback, and
each process's Prometheus /metrics with counters that move."""
import json
import uuid

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import eventually

STAFF_ROUTE = "/v1/projects/<int:project_id>/staff"


def lines(stack, name):
    """The process's log as JSON objects (every line it wrote must be one)."""
    out = []
    # records end with "\n" only: splitlines() would also cut at U+2028 or NEL inside a
    # message (the fuzz run sends such characters, and the JSON keeps them readable)
    for raw in stack.log(name).split("\n"):
        if raw.strip():
            out.append(json.loads(raw))     # a non-JSON line fails the test here
    return out


def lines_of(stack, name, request_id):
    return [line for line in lines(stack, name) if line.get("request_id") == request_id]


def new_person(project, request_id, username=None, **extra):
    return project.api("POST", "/v1/projects/{p}/staff", as_="manager",
                       headers={"X-Request-Id": request_id},
                       json={"username": username or f"{project.code}_{uuid.uuid4().hex[:6]}",
                             "name": "观察 Obs", "password": "password1",
                             "roles": ["consultant"], **extra})


def test_a_request_id_is_followed_from_the_gateway_to_a_service_and_an_event_handler(
        stack, project):
    rid = "obs-" + uuid.uuid4().hex
    r = new_person(project, rid)
    assert r.status_code == 201, r.text
    assert r.headers["X-Request-Id"] == rid

    gateway = eventually(lambda: lines_of(stack, "gateway", rid), message="gateway line")
    assert gateway[0]["status"] == 201 and gateway[0]["level"] == "INFO"
    assert gateway[0]["service"] == "gateway" and "POST /v1/projects/" in gateway[0]["message"]
    attendance = eventually(lambda: lines_of(stack, "attendance", rid), message="service line")
    assert any(line["message"] == "rpc add_staff ok" for line in attendance), attendance
    assert all(line["service"] == "attendance" for line in attendance)
    # attendance's staff_added event, handled by the directory replica in another service
    handled = eventually(
        lambda: [line for line in lines_of(stack, "reception", rid)
                 if line.get("event_type") == "staff_added"], message="event handler line")
    assert handled[0]["source"] == "attendance" and "handled by" in handled[0]["message"]
    for line in gateway + attendance + handled:
        assert set(line) >= {"time", "level", "service", "request_id", "message"}


def test_without_a_sane_request_id_the_gateway_makes_one(stack, project):
    r = new_person(project, "x" * 65)
    assert r.status_code == 201, r.text
    made = r.headers["X-Request-Id"]
    assert made != "x" * 65 and len(made) == 32
    eventually(lambda: lines_of(stack, "attendance", made), message="the made id in the service")
    r = stack.api("GET", "/v1/projects/1/staff", user="manager")    # a read gets one too
    assert len(r.headers["X-Request-Id"]) == 32


def test_a_refusal_is_logged_at_info_with_its_status_and_no_traceback(stack, project):
    username = f"{project.code}_dup"
    assert new_person(project, "obs-first-" + uuid.uuid4().hex, username).status_code == 201
    rid = "obs-409-" + uuid.uuid4().hex
    r = new_person(project, rid, username)
    assert r.status_code == 409, r.text
    refused = eventually(lambda: [line for line in lines_of(stack, "attendance", rid)
                                  if "refused" in line["message"]], message="refusal line")
    assert refused[0]["level"] == "INFO" and refused[0]["status"] == 409
    assert refused[0]["code"] == "conflict" and refused[0]["entrypoint"] == "add_staff"
    gateway = eventually(lambda: lines_of(stack, "gateway", rid), message="gateway line")
    assert gateway[0]["level"] == "INFO" and gateway[0]["status"] == 409

    rid422 = "obs-422-" + uuid.uuid4().hex
    r = new_person(project, rid422, unknown_field=1)
    assert r.status_code == 422, r.text
    eventually(lambda: [line for line in lines_of(stack, "gateway", rid422)
                        if line["status"] == 422 and line["level"] == "INFO"])
    for name in ("gateway", "attendance"):
        for line in lines_of(stack, name, rid) + lines_of(stack, name, rid422):
            assert line["level"] == "INFO", line
            assert "Traceback" not in json.dumps(line) and "exc_info" not in line


def scrape(stack, name):
    r = requests.get(f"http://127.0.0.1:{stack.metrics_ports[name]}/metrics", timeout=5)
    assert r.status_code == 200
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def sample(metrics, name, **labels):
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


def test_every_process_serves_metrics_and_the_counters_move(stack, project):
    for name in ("attendance", "reception", "clients", "materials"):
        metrics = scrape(stack, name)
        assert sample(metrics, "anchang_broker_up", service=name) == 1.0
        for gauge in ("anchang_outbox_backlog", "anchang_dead_letters",
                      "anchang_event_retries_pending", "anchang_outbox_oldest_unsent_seconds"):
            assert (gauge, (("service", name),)) in metrics, gauge
    calls = dict(service="attendance", kind="rpc", entrypoint="add_staff", outcome="ok")
    http = dict(route=STAFF_ROUTE, method="POST", status="201")
    rpc = dict(service="attendance", outcome="ok")
    before = scrape(stack, "attendance"), scrape(stack, "gateway")

    assert new_person(project, "obs-metrics-" + uuid.uuid4().hex).status_code == 201
    # a worker counts its call after its reply is on the way: the 201 can arrive first
    counted = sample(before[0], "anchang_worker_calls_total", **calls) + 1
    eventually(lambda: sample(scrape(stack, "attendance"), "anchang_worker_calls_total",
                              **calls) == counted, message="the ok call counted")
    answered = sample(before[1], "anchang_http_requests_total", **http) + 1
    eventually(lambda: sample(scrape(stack, "gateway"), "anchang_http_requests_total",
                              **http) == answered, message="the HTTP request counted")
    after = scrape(stack, "attendance"), scrape(stack, "gateway")
    assert sample(after[0], "anchang_worker_calls_total", **calls) == counted
    assert sample(after[0], "anchang_worker_seconds_count", service="attendance", kind="rpc",
                  entrypoint="add_staff") >= 1
    assert sample(after[1], "anchang_http_requests_total", **http) == answered
    assert sample(after[1], "anchang_http_request_seconds_count", route=STAFF_ROUTE,
                  method="POST") >= 1
    assert sample(after[1], "anchang_gateway_rpc_calls_total", **rpc) >= \
        sample(before[1], "anchang_gateway_rpc_calls_total", **rpc) + 1
    assert sample(after[1], "anchang_broker_up", service="gateway") == 1.0


def test_a_refusal_is_counted_by_rule_and_status(stack, project):
    username = f"{project.code}_again"
    assert new_person(project, "obs-" + uuid.uuid4().hex, username).status_code == 201
    labels = dict(service="attendance", kind="rpc", entrypoint="add_staff", outcome="refused")
    before = sample(scrape(stack, "attendance"), "anchang_worker_calls_total", **labels)
    assert new_person(project, "obs-" + uuid.uuid4().hex, username).status_code == 409
    # counted after the reply is sent, so the 409 can arrive before the counter moves
    eventually(lambda: sample(scrape(stack, "attendance"), "anchang_worker_calls_total",
                              **labels) == before + 1, message="the refusal counted")
    after = scrape(stack, "attendance")
    assert sample(after, "anchang_worker_calls_total", **labels) == before + 1
    assert any(key[0] == "anchang_refusals_total" and ("status", "409") in key[1]
               and ("entrypoint", "add_staff") in key[1] for key in after)
