"""The deploy shapes, checked by reading (there is no docker daemon or cluster here): the compose
file and the Kubernetes manifests parse, every process is probed, nothing starts before its
broker, database and migrations, no secret or guest account ships, images are pinned and
non-root, every container has requests and limits; the manifests pass kubernetes-validate's
offline schema check."""
import pathlib
import re

import kubernetes_validate
import pytest
import yaml

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "deploy"
SERVICES = ("attendance", "reception", "clients", "materials")
PROCESSES = (*SERVICES, "gateway")
K8S_VERSION = "1.37.0"   # the newest schema kubernetes-validate 1.37.0 ships
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|PASS$|_URI$|_URL$|TOKEN", re.I)


def compose():
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def manifests():
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def kinds(kind):
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def pod_specs():
    """(name, pod spec) of every Deployment and Job."""
    return [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for d in manifests()
            if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet")]


def all_containers():
    return [(name, c) for name, spec in pod_specs()
            for c in spec.get("initContainers", []) + spec["containers"]]


def deployment(process):
    return kinds("Deployment")[f"anchang-{process}"]["spec"]["template"]["spec"]


def main_container(process):
    return next(c for c in deployment(process)["containers"] if c["name"] == process)


# -- compose -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [*PROCESSES, "rabbitmq", "postgres"])
def test_compose_every_long_running_process_has_a_healthcheck(name):
    check = compose()["services"][name]["healthcheck"]
    assert check["test"][0] == "CMD" and check["timeout"] and check["interval"]


@pytest.mark.parametrize("name", SERVICES)
def test_compose_services_probe_their_own_health_rpc(name):
    assert compose()["services"][name]["healthcheck"]["test"][1:] == \
        ["python", "-m", "services.common.probe", name]


def test_compose_gateway_probe_does_not_depend_on_the_backends():
    test = compose()["services"]["gateway"]["healthcheck"]["test"]
    assert test[-1].endswith("/v1/health/ready")


@pytest.mark.parametrize("name", SERVICES)
def test_compose_services_start_after_broker_database_and_migration(name):
    assert compose()["services"][name]["depends_on"] == {
        "rabbitmq": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"}}


# the databases to head, then every service's event queues (services.common.topology)
ONE_SHOT = ["sh", "-c", "python -m services.common.migrate upgrade all && "
            "python -m services.common.topology declare"]


def test_compose_migrate_is_a_one_shot_after_the_database():
    migrate = compose()["services"]["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["command"] == ONE_SHOT
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert migrate["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
    assert "AMQP_URI" in migrate["environment"]
    assert compose()["services"]["gateway"]["depends_on"] == \
        {"rabbitmq": {"condition": "service_healthy"}}


def test_compose_every_depends_on_has_a_condition():
    for name, service in compose()["services"].items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for target, how in depends.items():
            assert how["condition"] in ("service_healthy", "service_completed_successfully"), \
                (name, target)


def test_compose_data_lives_in_named_volumes():
    doc = compose()
    assert set(doc["volumes"]) >= {"rabbitmq-data", "postgres-data"}
    assert "rabbitmq-data:/var/lib/rabbitmq" in doc["services"]["rabbitmq"]["volumes"]
    assert "postgres-data:/var/lib/postgresql/data" in doc["services"]["postgres"]["volumes"]


def test_compose_has_no_guest_broker_and_no_literal_secret():
    text = (DEPLOY / "compose.yml").read_text()
    assert "guest" not in text
    for name, service in compose()["services"].items():
        env = service.get("environment", {})
        for key, value in env.items():
            if SECRET_NAMES.search(key) and key != "GATEWAY_HOST":
                # every secret comes from the operator's environment and is required
                assert re.search(r"\$\{[A-Z_]+:\?", str(value)), f"{name}.{key} = {value!r}"
    broker = compose()["services"]["rabbitmq"]["environment"]
    assert broker["RABBITMQ_DEFAULT_PASS"].startswith("${RABBITMQ_PASSWORD:?")


def test_compose_images_are_pinned():
    for name, service in compose()["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), (name, image)
        tag = image.rsplit(":", 1)[-1]
        assert re.search(r"\d+\.\d+", tag), f"{name}: {image} is not pinned to a version"


def test_compose_each_service_gets_only_its_own_database():
    services = compose()["services"]
    for name in SERVICES:
        urls = {k for k in services[name]["environment"] if k.endswith("_DATABASE_URL")}
        assert urls == {f"{name.upper()}_DATABASE_URL"}
    assert not any(k.endswith("_DATABASE_URL") for k in services["gateway"]["environment"])


# -- Kubernetes ----------------------------------------------------------------------------

@pytest.mark.parametrize("doc", manifests(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_k8s_manifests_pass_the_offline_schema_check(doc):
    kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_schema_check_can_fail():
    job = next(iter(kinds("Job").values()))
    broken = yaml.safe_load(yaml.safe_dump(job))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Sometimes"
    broken["spec"]["backofLimit"] = 3   # a typo: strict mode refuses unknown fields
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_k8s_has_a_deployment_per_process():
    assert set(kinds("Deployment")) == {f"anchang-{p}" for p in PROCESSES}


@pytest.mark.parametrize("name", SERVICES)
def test_k8s_service_liveness_asks_only_itself_and_readiness_its_health(name):
    c = main_container(name)
    live = c["livenessProbe"]["exec"]["command"]
    ready = c["readinessProbe"]["exec"]["command"]
    assert live == ["python", "-m", "services.common.probe", name, "--live"]
    assert ready == ["python", "-m", "services.common.probe", name]
    for probe in (c["livenessProbe"], c["readinessProbe"], c["startupProbe"]):
        assert probe["timeoutSeconds"] >= 5   # the probe answers within 4.5 s


def test_k8s_gateway_probes_do_not_depend_on_the_backends():
    c = main_container("gateway")
    assert c["livenessProbe"]["httpGet"]["path"] == "/v1/health/live"
    assert c["readinessProbe"]["httpGet"]["path"] == "/v1/health/ready"
    assert kinds("Service")["anchang-gateway"]["spec"]["selector"] == \
        {"app": "anchang", "process": "gateway"}


def test_k8s_migration_job_runs_before_the_services():
    jobs = kinds("Job")
    assert len(jobs) == 1
    (job,) = jobs.values()
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ONE_SHOT
    assert "AMQP_URI" in {e["name"] for e in container["env"]}
    for name in SERVICES:
        (init,) = deployment(name)["initContainers"]
        assert init["command"] == ["python", "-m", "services.common.probe", name,
                                   "--migrated", "--wait", init["command"][-1]]
        assert float(init["command"][-1]) >= 300


@pytest.mark.parametrize("name,spec", pod_specs(), ids=[name for name, _ in pod_specs()])
def test_k8s_pods_run_as_non_root(name, spec):
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] != 0
    assert spec["automountServiceAccountToken"] is False
    for c in spec.get("initContainers", []) + spec["containers"]:
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False and sc["readOnlyRootFilesystem"] is True
        assert sc["capabilities"]["drop"] == ["ALL"]


def test_k8s_every_container_has_requests_and_limits_and_a_pinned_image():
    for name, c in all_containers():
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (name, c["name"], kind)
        image = c["image"]
        assert "@sha256:" in image or re.search(r":\d+\.\d+\.\d+$", image), (name, image)


def test_k8s_no_secret_value_ships():
    assert not kinds("Secret"), "the operator creates the Secret; none ships with a value"
    text = "\n".join(p.read_text() for p in (DEPLOY / "k8s").glob("*.yaml"))
    assert "guest" not in text
    for name, c in all_containers():
        assert "envFrom" not in c, f"{name}: every key is referenced on its own"
        for env in c.get("env", []):
            if SECRET_NAMES.search(env["name"]):
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref["name"] == "anchang" and "value" not in env, (name, env)
    gateway_env = {e["name"] for e in main_container("gateway")["env"]}
    assert not any(n.endswith("_DATABASE_URL") for n in gateway_env)


# -- the image -----------------------------------------------------------------------------

def dockerfile():
    return [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def test_dockerfile_base_is_pinned_python_3_11_7():
    (base,) = [line for line in dockerfile() if line.startswith("FROM ")]
    image = base.split()[1]
    assert image.startswith("python:3.11.7-slim-bookworm") or "@sha256:" in image


def test_dockerfile_runs_as_a_numeric_non_root_user():
    users = [line.split()[1] for line in dockerfile() if line.startswith("USER ")]
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"


def test_dockerfile_installs_the_pinned_requirements():
    text = " ".join(dockerfile())
    assert "pip install --no-cache-dir -r requirements.txt" in text and "pip check" in text
    reqs = [line.split("#")[0].strip()
            for line in (DEPLOY.parent / "requirements.txt").read_text().splitlines()]
    assert all("==" in r for r in reqs if r), "every requirement is pinned with =="
