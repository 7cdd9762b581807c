"""The job round trip of a Dioptra deployment, as the e2e stand-ins play it
(imported by standin.py). Python standard library only.

  user  --POST /api/v1/jobs/ {kind}-->  REST API  --RPUSH rq:queue:<queue>-->  Redis
  worker (BLPOP on the queues of its command) --> logs in to the REST API with
  the worker account (1.1) --> creates an MLflow run --> writes an artifact
  object into MinIO with its own account (its policies decide) --> reads the
  datasets folder --> reports status and outputs to the REST API
  user  --GET /api/v1/jobs/<id>-->  REST API

The queue a kind goes to is the release's (1.0: tensorflow_cpu, 1.1:
tensorflow-cpu, ...), as the REST API names it; the worker listens only on
the queues its command names. Nothing here trusts the deployment: a wrong
password, queue, MinIO account or device list makes the job fail or never run.
"""
import fnmatch
import hashlib
import http.cookiejar
import json
import os
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request

# Dioptra's queue names by release (the templates' worker commands use the same).
QUEUES = {
    "1.0": {"tensorflow-cpu": "tensorflow_cpu", "tensorflow-gpu": "tensorflow_gpu", "pytorch-cpu": "pytorch_cpu", "pytorch-gpu": "pytorch_gpu"},
    "1.1": {"tensorflow-cpu": "tensorflow-cpu", "tensorflow-gpu": "tensorflow-gpu", "pytorch-cpu": "pytorch-cpu", "pytorch-gpu": "pytorch-gpu"},
}
DATASETS = "/dioptra/data"


def as_json(status, obj, extra=None):
    return status, "application/json", json.dumps(obj, indent=1, sort_keys=True) + "\n", extra or {}


# --------------------------------------------------------------------------------------
# Redis (RESP), as rq talks to it
# --------------------------------------------------------------------------------------


class Redis:
    """One connection, authenticated and on the database RQ_REDIS_URI names."""

    def __init__(self, uri, timeout=10):
        u = urllib.parse.urlparse(uri)
        self.sock = socket.create_connection((u.hostname, u.port or 6379), timeout=timeout)
        self.file = self.sock.makefile("rb")
        if u.password:
            self.call("AUTH", urllib.parse.unquote(u.password))
        db = (u.path or "/0").lstrip("/") or "0"
        self.call("SELECT", db)

    def call(self, *args, timeout=None):
        self.sock.settimeout(timeout if timeout is not None else 10)
        parts = [str(a).encode() if not isinstance(a, bytes) else a for a in args]
        self.sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self._reply()

    def _reply(self):
        line = self.file.readline()
        if not line:
            raise ConnectionError("Redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(f"Redis: {rest.decode()}")
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RuntimeError(f"Redis: unexpected reply {line!r}")


# --------------------------------------------------------------------------------------
# HTTP client with a session cookie (the REST API's login)
# --------------------------------------------------------------------------------------


class Client:
    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, method, url, payload=None, headers=None, data=None, timeout=15):
        body = data if data is not None else (None if payload is None else json.dumps(payload).encode())
        req = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with self.opener.open(req, timeout=timeout) as r:
                status, raw = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read().decode()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw


def must(what, answer, want=(200, 201)):
    status, reply = answer
    if status not in want:
        raise RuntimeError(f"{what}: {status} {reply}")
    return reply


# --------------------------------------------------------------------------------------
# REST API: sessions and jobs
# --------------------------------------------------------------------------------------


def jobs_api(release, db_uri, psql, sessions):
    """POST /api/v1/jobs/ (a user's session), GET /api/v1/jobs/<id> (a session),
    POST /api/v1/jobs/<id>/status (the worker: with the worker account's session
    in 1.1; 1.0 workers have no account). Jobs live in the restapi database."""
    psql(db_uri, "CREATE TABLE IF NOT EXISTS dioptra_e2e_jobs (id text PRIMARY KEY, owner text, kind text, queue text,"
                 " status text, outputs text, error text);")
    redis_uri = os.environ.get("RQ_REDIS_URI", "")

    def user_of(headers):
        cookie = headers.get("Cookie", "") or ""
        for part in cookie.split(";"):
            k, _, v = part.strip().partition("=")
            if k == "session" and v in sessions:
                return sessions[v]
        return None

    def route(method, route_, body, headers):
        if not route_.startswith("/api/v1/jobs/"):
            return None
        user = user_of(headers)
        rest = route_[len("/api/v1/jobs/"):].strip("/").split("/")
        if method == "POST" and rest == [""]:
            if not user:
                return as_json(401, {"error": "log in first"})
            kind = json.loads(body or b"{}").get("kind", "")
            queue = QUEUES[release].get(kind)
            if not queue:
                return as_json(400, {"error": f"no queue for kind {kind!r} in Dioptra {release}"})
            job = secrets.token_hex(8)
            psql(db_uri, "INSERT INTO dioptra_e2e_jobs VALUES (:'i', :'o', :'k', :'q', 'queued', '{}', '');", i=job, o=user, k=kind, q=queue)
            r = Redis(redis_uri)
            r.call("HSET", f"rq:job:{job}", "status", "queued", "origin", queue, "data", json.dumps({"id": job, "kind": kind}))
            r.call("SADD", "rq:queues", f"rq:queue:{queue}")
            r.call("RPUSH", f"rq:queue:{queue}", job)
            return as_json(201, {"id": job, "kind": kind, "queue": queue, "status": "queued"})
        if len(rest) == 1 and method == "GET":
            if not user:
                return as_json(401, {"error": "log in first"})
            rows = [x for x in psql(db_uri, "SELECT row_to_json(j) FROM dioptra_e2e_jobs j WHERE id = :'i';", i=rest[0]) if x]
            if not rows:
                return as_json(404, {"error": f"no job {rest[0]}"})
            job = json.loads(rows[0])
            job["outputs"] = json.loads(job["outputs"] or "{}")
            return as_json(200, job)
        if len(rest) == 2 and rest[1] == "status" and method == "POST":
            if release != "1.0" and not user:
                return as_json(401, {"error": "log in first"})
            req = json.loads(body or b"{}")
            done = psql(db_uri, "UPDATE dioptra_e2e_jobs SET status = :'s', outputs = :'o', error = :'e' WHERE id = :'i' RETURNING 1;",
                        s=req.get("status", ""), o=json.dumps(req.get("outputs", {})), e=req.get("error", ""), i=rest[0])
            return as_json(200, {"id": rest[0]}) if "1" in done else as_json(404, {"error": f"no job {rest[0]}"})
        return as_json(405, {"error": f"{method} {route_}"})

    return route


def new_session(sessions, user):
    token = secrets.token_urlsafe(24)
    sessions[token] = user
    return {"Set-Cookie": f"session={token}; HttpOnly; Path=/; SameSite=Lax"}


# --------------------------------------------------------------------------------------
# MLflow runs (kept in MLflow's database) and MinIO objects (kept in MinIO's state)
# --------------------------------------------------------------------------------------


def mlflow_api(db_uri, artifacts, psql):
    psql(db_uri, "CREATE TABLE IF NOT EXISTS dioptra_e2e_mlflow_runs (run_id text PRIMARY KEY, status text, artifact_uri text, tags text);")

    def route(method, route_, query, body):
        if method == "POST" and route_ == "/api/2.0/mlflow/runs/create":
            req = json.loads(body or b"{}")
            run_id = secrets.token_hex(16)
            uri = f"{artifacts.rstrip('/')}/{run_id}/artifacts"
            psql(db_uri, "INSERT INTO dioptra_e2e_mlflow_runs VALUES (:'r', 'RUNNING', :'a', :'t');", r=run_id, a=uri, t=json.dumps(req.get("tags", [])))
            return as_json(200, {"run": {"info": {"run_id": run_id, "status": "RUNNING", "artifact_uri": uri}}})
        if method == "POST" and route_ == "/api/2.0/mlflow/runs/update":
            req = json.loads(body or b"{}")
            done = psql(db_uri, "UPDATE dioptra_e2e_mlflow_runs SET status = :'s' WHERE run_id = :'r' RETURNING 1;", s=req.get("status", ""), r=req.get("run_id", ""))
            return as_json(200, {}) if "1" in done else as_json(404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
        if method == "GET" and route_ == "/api/2.0/mlflow/runs/get":
            run_id = urllib.parse.parse_qs(query).get("run_id", [""])[0]
            rows = [x for x in psql(db_uri, "SELECT row_to_json(r) FROM dioptra_e2e_mlflow_runs r WHERE run_id = :'r';", r=run_id) if x]
            if not rows:
                return as_json(404, {"error_code": "RESOURCE_DOES_NOT_EXIST"})
            row = json.loads(rows[0])
            return as_json(200, {"run": {"info": {k: row[k] for k in ("run_id", "status", "artifact_uri")}, "data": {"tags": json.loads(row["tags"])}}})
        return None

    return route


def allowed(policies, action, resource):
    """IAM-style evaluation of MinIO policy documents: an explicit Deny wins, else any Allow."""
    verdict = False
    for doc in policies:
        for st in doc.get("Statement", []):
            actions = st.get("Action", [])
            resources = st.get("Resource", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = [resources] if isinstance(resources, str) else resources
            if any(fnmatch.fnmatchcase(action, a) for a in actions) and any(fnmatch.fnmatchcase(resource, r) for r in resources):
                if st.get("Effect") == "Deny":
                    return False
                verdict = verdict or st.get("Effect") == "Allow"
    return verdict


def minio_objects(state, method, route_, query, body, headers):
    """PUT /<bucket>/<key> with the account's keys (X-E2E-Access-Key/-Secret-Key,
    the stand-in's S3 signature), allowed by the account's policies; GET
    /_e2e/object?path=<bucket>/<key> for the run to read back what is there."""
    if route_ == "/_e2e/object":
        obj = state.setdefault("objects", {}).get(urllib.parse.parse_qs(query).get("path", [""])[0])
        return as_json(200, obj) if obj else as_json(404, {"error": "NoSuchKey"})
    if method != "PUT" or route_.count("/") < 2:
        return None
    bucket, key = urllib.parse.unquote(route_[1:]).split("/", 1)
    user = state["users"].get(headers.get("X-E2E-Access-Key", ""))
    secret = hashlib.sha256((headers.get("X-E2E-Secret-Key", "") or "").encode()).hexdigest()
    if not user or user.get("secret_sha256") != secret:
        return as_json(403, {"error": "InvalidAccessKeyId"})
    if bucket not in state["buckets"]:
        return as_json(404, {"error": "NoSuchBucket"})
    docs = [state["policies"][p] for p in user["policies"] if p in state["policies"]]
    if not allowed(docs, "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}"):
        return as_json(403, {"error": "AccessDenied", "policies": user["policies"]})
    content = body.decode(errors="replace")
    state.setdefault("objects", {})[f"{bucket}/{key}"] = {"owner": headers.get("X-E2E-Access-Key"), "sha256": hashlib.sha256(body).hexdigest(), "content": content[:2000]}
    return as_json(200, {"path": f"{bucket}/{key}"})


# --------------------------------------------------------------------------------------
# The worker: take jobs from the queues of its command, run them, report
# --------------------------------------------------------------------------------------


def datasets():
    """sha256 of each file of the datasets folder, and whether the job could write there."""
    seen = {}
    for name in sorted(os.listdir(DATASETS)) if os.path.isdir(DATASETS) else []:
        path = os.path.join(DATASETS, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                seen[name] = hashlib.sha256(f.read()).hexdigest()
    try:
        with open(os.path.join(DATASETS, ".e2e-job-write-probe"), "w"):
            pass
        writable = True
    except OSError:
        writable = False
    return seen, writable


def run_job(release, job, queue, host, log):
    """Runs one job; returns (status, outputs, error) and the session that reports them."""
    api = os.environ.get("DIOPTRA_API", "").rstrip("/")
    client = Client()
    outputs = {"worker": host, "queue": queue}
    try:
        if release != "1.0":
            user, password = os.environ.get("DIOPTRA_WORKER_USERNAME", ""), os.environ.get("DIOPTRA_WORKER_PASSWORD", "")
            must(f"log in to the REST API as {user}", client.request("POST", f"{api}/api/v1/auth/login", {"username": user, "password": password}))
            must(f"read job {job}", client.request("GET", f"{api}/api/v1/jobs/{job}"))
        tracking = os.environ.get("MLFLOW_TRACKING_URI", "").rstrip("/")
        run = must("create an MLflow run", client.request("POST", f"{tracking}/api/2.0/mlflow/runs/create",
                                                          {"experiment_id": "0", "tags": [{"key": "dioptra.job", "value": job}]}))["run"]["info"]
        outputs["mlflow_run_id"] = run["run_id"]
        target = urllib.parse.urlparse(run["artifact_uri"])
        path = f"{target.netloc}{target.path}/e2e-job.txt"
        endpoint = os.environ.get("MLFLOW_S3_ENDPOINT_URL", "").rstrip("/")
        keys = {"X-E2E-Access-Key": os.environ.get("AWS_ACCESS_KEY_ID", ""), "X-E2E-Secret-Key": os.environ.get("AWS_SECRET_ACCESS_KEY", "")}
        must(f"write s3://{path} as {keys['X-E2E-Access-Key'] or '(no account)'}",
             client.request("PUT", f"{endpoint}/{urllib.parse.quote(path)}", headers=keys, data=f"dioptra e2e job {job} by {host}\n".encode()))
        outputs["artifact"] = path
        outputs["datasets"], outputs["datasets_writable"] = datasets()
        devices = os.environ.get("NVIDIA_VISIBLE_DEVICES")
        swarm = os.environ.get("DOCKER_RESOURCE_NVIDIA-GPU") or os.environ.get("DOCKER_RESOURCE_NVIDIA_GPU")
        # What the NVIDIA runtime would expose: the listed devices ("void"/"none"/unset: none).
        outputs["gpus"] = [] if devices in (None, "", "void", "none") else devices.split(",")
        if swarm:
            outputs["swarm_gpus"] = sorted(swarm.split(","))
        must("finish the MLflow run", client.request("POST", f"{tracking}/api/2.0/mlflow/runs/update", {"run_id": run["run_id"], "status": "FINISHED"}))
        return "finished", outputs, "", client
    except Exception as exc:  # the job fails, as a real one would, with the reason
        log(f"job {job} failed: {exc}")
        return "failed", outputs, str(exc), client


def work(release, redis_uri, queues, host, log):
    """rq's worker loop: BLPOP on the queues, one job at a time, status in the job's hash."""
    r = Redis(redis_uri)
    keys = [f"rq:queue:{q}" for q in queues]
    while True:
        got = r.call("BLPOP", *keys, 5, timeout=30)
        if not got:
            continue
        key, job = got
        queue = key[len("rq:queue:"):]
        r.call("HSET", f"rq:job:{job}", "status", "started", "worker_name", host)
        log(f"job {job} from queue {queue}")
        status, outputs, error, client = run_job(release, job, queue, host, log)
        r.call("HSET", f"rq:job:{job}", "status", status, "exc_info", error)
        api = os.environ.get("DIOPTRA_API", "").rstrip("/")
        try:
            must("report the job's status", client.request("POST", f"{api}/api/v1/jobs/{job}/status", {"status": status, "outputs": outputs, "error": error}))
            log(f"job {job} {status}")
        except Exception as exc:
            log(f"job {job} {status}, but the REST API did not take the report: {exc}")
