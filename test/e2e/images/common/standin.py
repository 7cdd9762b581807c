#!/usr/bin/env python3
"""Stand-ins for the services of a Dioptra deployment whose real images
cannot be pulled in the e2e test (MinIO and its mc client, pgAdmin, MLflow,
the Dioptra REST API and workers). Python standard library only.

Each stand-in answers on the ports and health endpoints the generated
Compose healthchecks probe, with a body that names it, and checks at start
what the real service would need from the deployment: its credentials
(database URIs, MinIO access keys created by init, Redis), the files init
wrote into its volumes, and that its data folder is writable by its user.
A failed check exits non-zero, so the container restarts and its
healthcheck fails, as the real service's would.

  standin.py minio            MinIO server: S3 API :9000, console :9001
  standin.py mc ARGS...       the mc client (commands init-minio.sh runs)
  standin.py pgadmin          pgAdmin on $PGADMIN_LISTEN_PORT
  standin.py mlflow ARGS...   mlflow server (after its entrypoint's --wait-for)
  standin.py restapi          the REST API on :5000
  standin.py worker ARGS...   the worker (as python -m dioptra.rq.cli.rq worker)
"""
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jobs

HOST = socket.gethostname()

# The Dioptra release the image stands in for (set by the e2e run on a per-release
# layer of the restapi and worker stand-ins): the MinIO accounts init gives each
# service, and whether workers log in to the REST API, differ between releases.
RELEASE = os.environ.get("DIOPTRA_E2E_RELEASE", "1.0")
MINIO_NEEDS = {
    "1.0": {"restapi": (["builtin-plugins-readwrite", "custom-plugins-readwrite", "workflow-uploadonly"], "plugins")},
    "1.1": {"restapi": (["mlflow-tracking-readwrite"], "mlflow-tracking")},
}[RELEASE]

# As PID 1 of its container a process ignores SIGTERM unless it handles it;
# the real services stop on it, so `docker stop` need not wait for SIGKILL.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))


def log(name, *msg):
    print(f"[e2e stand-in {name}@{HOST}]", *msg, flush=True)


def fail(name, *msg):
    log(name, "FATAL:", *msg)
    sys.exit(1)


def require_env(name, *keys):
    values = []
    for key in keys:
        value = os.environ.get(key, "")
        if not value:
            fail(name, f"environment variable {key} is not set")
        values.append(value)
    return values


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    """Routes requests to `self.server.app(method, path, body, headers)`,
    which returns (status, content_type, body_bytes_or_str, extra_headers)."""

    protocol_version = "HTTP/1.1"

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, ctype, payload, extra = self.server.app(self.command, self.path, body, self.headers)
        except Exception as exc:  # a stand-in bug must show, not hang the client
            status, ctype, payload, extra = 500, "text/plain", f"stand-in error: {exc!r}\n", {}
        if isinstance(payload, str):
            payload = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-Dioptra-E2E-Standin", self.server.standin_name)
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

    def log_message(self, fmt, *args):
        log(self.server.standin_name, f"{self.command} {self.path} port {self.server.server_port}:", fmt % args)


def serve(name, ports, app):
    """Serves `app` on every port in `ports` (threads), forever."""
    servers = []
    for port in ports:
        srv = ThreadingHTTPServer(("0.0.0.0", port), Handler)
        srv.daemon_threads = True
        srv.app = lambda m, p, b, h, port=port: app(port, m, p, b, h)
        srv.standin_name = name
        servers.append(srv)
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    log(name, "listening on", ", ".join(str(p) for p in ports))
    servers[0].serve_forever()


def text(status, body, extra=None):
    return status, "text/plain; charset=utf-8", body, extra or {}


def as_json(status, obj):
    return status, "application/json", json.dumps(obj, indent=1, sort_keys=True) + "\n", {}


def http_json(url, payload=None, timeout=10):
    """GET (payload None) or POST JSON; returns (status, parsed-or-text)."""
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read().decode()
            status = r.status
    except urllib.error.HTTPError as e:
        raw = e.read().decode()
        status = e.code
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw


def with_retries(name, what, fn, attempts=20, delay=1.5):
    last = None
    for _ in range(attempts):
        try:
            result = fn()
            if result is True or result is None:
                return
            last = result
        except Exception as exc:  # connection refused while the dependency starts
            last = repr(exc)
        time.sleep(delay)
    fail(name, f"{what}: {last}")


# --------------------------------------------------------------------------------------
# Checks shared by the Dioptra services
# --------------------------------------------------------------------------------------


def check_postgres_uri(name, uri, create_table=None):
    """Logs in with `uri` (psql), as the real service's SQLAlchemy would, and
    optionally creates a table (needs CREATE on schema public)."""
    sql = "SELECT current_user || ' ' || current_database();"
    if create_table:
        sql = f"CREATE TABLE IF NOT EXISTS {create_table} (id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO {create_table} DEFAULT VALUES; " + sql

    def attempt():
        r = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql],
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            return f"psql failed: {r.stderr.strip()}"
        log(name, "database login ok:", r.stdout.strip().splitlines()[-1])
        return True

    with_retries(name, "cannot use the database", attempt)


def minio_endpoint():
    return os.environ.get("MLFLOW_S3_ENDPOINT_URL", "").rstrip("/")


def check_minio_login(name, want_policies=(), want_bucket=None):
    """Checks the service's AWS_ACCESS_KEY_ID/SECRET against the accounts init
    created in MinIO, and the policies it needs."""
    endpoint = minio_endpoint()
    if not endpoint:
        fail(name, "MLFLOW_S3_ENDPOINT_URL is not set")
    key, secret = require_env(name, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")

    def attempt():
        status, reply = http_json(f"{endpoint}/_e2e/login", {"accessKey": key, "secretKey": secret})
        if status != 200:
            return f"MinIO refused {key}: {status} {reply}"
        missing = [p for p in want_policies if p not in reply.get("policies", [])]
        if missing:
            return f"{key} lacks the policies {missing} (has {reply.get('policies')})"
        if want_bucket and want_bucket not in reply.get("buckets", []):
            return f"bucket {want_bucket} does not exist (buckets: {reply.get('buckets')})"
        log(name, f"MinIO login ok as {key}, policies {reply.get('policies')}")
        return True

    with_retries(name, "cannot use MinIO", attempt)


def redis_ping(uri):
    parsed = urllib.parse.urlparse(uri)
    with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=5) as s:
        if parsed.password:
            # The deployment's Redis requires the password RQ_REDIS_URI carries, as rq sends it.
            password = urllib.parse.unquote(parsed.password).encode()
            s.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(password), password))
            reply = s.recv(64)
            if not reply.startswith(b"+OK"):
                raise RuntimeError(f"Redis refused AUTH: {reply!r}")
        s.sendall(b"PING\r\n")
        reply = s.recv(64)
    if not reply.startswith(b"+PONG"):
        raise RuntimeError(f"unexpected Redis reply {reply!r}")


def check_redis(name):
    uri = os.environ.get("RQ_REDIS_URI", "")
    if not uri:
        fail(name, "RQ_REDIS_URI is not set")

    def attempt():
        redis_ping(uri)
        # The host and port only: the URI carries the password.
        log(name, "Redis answers (AUTH, PING) at", urllib.parse.urlparse(uri).netloc.rpartition("@")[2])
        return True

    with_retries(name, "cannot reach Redis", attempt)


def check_http(name, url):
    def attempt():
        with urllib.request.urlopen(url, timeout=5) as r:
            if r.status != 200:
                return f"{url} answered {r.status}"
        log(name, "reached", url)
        return True

    with_retries(name, f"cannot reach {url}", attempt)


# --------------------------------------------------------------------------------------
# MinIO and mc
# --------------------------------------------------------------------------------------

MINIO_STATE = "/data/.dioptra-e2e-minio.json"


def minio_main(argv):
    name = "minio"
    if argv[:1] != ["server"] or len(argv) < 2:
        fail(name, f"expected 'server DIR [--console-address :PORT]', got {argv}")
    data_dir = argv[1]
    console_port = 9001
    if "--console-address" in argv:
        console_port = int(argv[argv.index("--console-address") + 1].rsplit(":", 1)[1])
    root_user, root_password, kms = require_env(name, "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_KMS_SECRET_KEY")
    # MinIO refuses to start on a malformed KMS key: <key-name>:<base64 of 32 bytes>.
    import base64
    try:
        kms_name, kms_b64 = kms.split(":", 1)
        if not kms_name or len(base64.b64decode(kms_b64, validate=True)) != 32:
            raise ValueError("not 32 bytes")
    except ValueError as exc:
        fail(name, f"MINIO_KMS_SECRET_KEY is malformed ({exc})")
    if len(root_password) < 8:
        fail(name, "MINIO_ROOT_PASSWORD must be at least 8 characters")
    state_file = os.path.join(data_dir, os.path.basename(MINIO_STATE))
    try:
        with open(state_file) as f:
            state = json.load(f)
        log(name, "loaded state from", state_file)
    except FileNotFoundError:
        state = {"buckets": [], "users": {}, "policies": {}, "log": []}
    lock = threading.Lock()

    def save():
        tmp = state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
        os.replace(tmp, state_file)

    save()  # fails here, as MinIO would, when the data folder is not writable

    def entities():
        lines = ["Query time: " + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "Policy -> Entity Mappings:"]
        for policy in sorted(state["policies"]):
            users = sorted(u for u, d in state["users"].items() if policy in d["policies"])
            if users:
                lines += [f"  Policy: {policy}", "    User Mappings:"] + [f"      {u}" for u in users]
        return "\n".join(lines) + "\n"

    def mc(args, payload):
        """Runs one mc command; returns (exit_status, output)."""
        a = list(args)
        if a[:2] == ["alias", "set"]:
            return 0, f"Added `{a[2]}` successfully.\n"
        if a[:1] == ["mb"]:
            out = []
            for target in [t for t in a[1:] if not t.startswith("-")]:
                bucket = target.split("/", 1)[1] if "/" in target else ""
                if not bucket:
                    return 1, f"mc: <ERROR> Unable to make bucket `{target}`. Bucket name cannot be empty.\n"
                if bucket in state["buckets"]:
                    if "-p" not in a:
                        return 1, f"mc: <ERROR> Unable to make bucket `{target}`. Your previous request to create the named bucket succeeded and you already own it.\n"
                else:
                    state["buckets"].append(bucket)
                out.append(f"Bucket created successfully `{target}`.")
            return 0, "\n".join(out) + "\n"
        if a[:3] == ["admin", "user", "add"] and len(a) == 6:
            user, password = a[4], a[5]
            if len(password) < 8:
                return 1, "mc: <ERROR> Unable to add new user. The secret key should be at least 8 characters.\n"
            entry = state["users"].setdefault(user, {"policies": []})
            entry["secret_sha256"] = hashlib.sha256(password.encode()).hexdigest()
            return 0, f"Added user `{user}` successfully.\n"
        if a[:3] == ["admin", "policy", "create"] and len(a) == 6:
            policy = payload.get("file_content")
            try:
                doc = json.loads(policy or "")
                if not isinstance(doc.get("Statement"), list) or "Version" not in doc:
                    raise ValueError("needs Version and a Statement list")
            except (ValueError, AttributeError) as exc:
                return 1, f"mc: <ERROR> Unable to create new policy: {exc}\n"
            state["policies"][a[4]] = doc
            return 0, f"Created policy `{a[4]}` successfully.\n"
        if a[:3] == ["admin", "policy", "entities"] and len(a) == 4:
            return 0, entities()
        if a[:3] == ["admin", "policy", "attach"]:
            users = [x.split("=", 1)[1] for x in a if x.startswith("--user=")]
            policies = [x for x in a[4:] if not x.startswith("--")]
            if len(users) != 1 or not policies:
                return 1, "mc: <ERROR> attach needs policies and one --user=USER\n"
            user = users[0]
            if user not in state["users"]:
                return 1, f"mc: <ERROR> Unable to attach policy: The specified user does not exist ({user})\n"
            for p in policies:
                if p not in state["policies"]:
                    return 1, f"mc: <ERROR> Unable to attach policy: The canned policy does not exist ({p})\n"
                if p in state["users"][user]["policies"]:
                    return 1, f"mc: <ERROR> Unable to attach policy: policy {p} is already attached to {user}\n"
            state["users"][user]["policies"] += policies
            return 0, f"Attached Policies: {policies}\nTo User: {user}\n"
        return 1, f"mc: <ERROR> the e2e stand-in does not implement `mc {' '.join(a)}`\n"

    def app(port, method, path, body, headers):
        route = path.split("?", 1)[0]
        if route in ("/minio/health/live", "/minio/health/ready"):
            return text(200, "")
        if method == "POST" and route == "/_e2e/mc" and port != console_port:
            payload = json.loads(body or b"{}")
            if (payload.get("user"), payload.get("password")) != (root_user, root_password):
                return as_json(403, {"status": 1, "output": "mc: <ERROR> The Access Key Id you provided does not exist in our records.\n"})
            with lock:
                status, output = mc(payload.get("args", []), payload)
                shown = list(payload.get("args", []))
                if shown[:3] == ["admin", "user", "add"] and len(shown) == 6:
                    shown[5] = "<secret>"
                if shown[:2] == ["alias", "set"] and len(shown) == 6:
                    shown[5] = "<secret>"
                state["log"].append({"args": shown, "status": status})
                save()
            log(name, f"mc {' '.join(shown)} -> {status}")
            return as_json(200, {"status": status, "output": output})
        if method == "POST" and route == "/_e2e/login" and port != console_port:
            payload = json.loads(body or b"{}")
            user = state["users"].get(payload.get("accessKey", ""))
            secret = hashlib.sha256(str(payload.get("secretKey", "")).encode()).hexdigest()
            if not user or user.get("secret_sha256") != secret:
                return as_json(403, {"error": "InvalidAccessKeyId"})
            return as_json(200, {"policies": user["policies"], "buckets": state["buckets"]})
        answer = None
        with lock:
            answer = jobs.minio_objects(state, method, route, path.partition("?")[2], body, headers)
            if answer is not None and method == "PUT" and answer[0] == 200:
                save()
        if answer is not None:
            return answer
        if route == "/_e2e/state":
            with lock:
                shown = {"buckets": state["buckets"], "policies": sorted(state["policies"]),
                         "users": {u: d["policies"] for u, d in state["users"].items()}, "log": state["log"]}
            return as_json(200, shown)
        if route == "/" and method in ("GET", "HEAD"):
            what = "console" if port == console_port else "S3 API"
            return text(200, f"dioptra-e2e stand-in: MinIO {what} ({HOST})\n")
        return text(404, f"dioptra-e2e stand-in: MinIO has no {route}\n")

    log(name, f"server {data_dir}, console on :{console_port}")
    serve(name, [9000, console_port], app)


MC_CONFIG = os.path.expanduser("~/.mc/e2e-aliases.json")


def mc_main(argv):
    """The mc client: `alias set` stores the alias here; every other command
    is sent, with the alias's credentials, to the MinIO stand-in, which
    checks them, applies the command to its state and records it."""
    args = [a for a in argv if a not in ("--quiet", "-q", "--json", "--insecure")]
    try:
        with open(MC_CONFIG) as f:
            aliases = json.load(f)
    except FileNotFoundError:
        aliases = {}
    if args[:2] == ["alias", "set"]:
        if len(args) != 6:
            print("mc: <ERROR> usage: mc alias set ALIAS URL ACCESSKEY SECRETKEY", file=sys.stderr)
            return 1
        alias = {"url": args[3].rstrip("/"), "user": args[4], "password": args[5]}
        target = alias
    else:
        names = [a.split("/", 1)[0] for a in args if a.split("/", 1)[0] in aliases]
        if not names:
            print(f"mc: <ERROR> no alias in `{' '.join(args)}` (known: {sorted(aliases)})", file=sys.stderr)
            return 1
        target = aliases[names[0]]
    payload = {"user": target["user"], "password": target["password"], "args": args}
    if args[:3] == ["admin", "policy", "create"] and len(args) == 6:
        try:
            with open(args[5]) as f:
                payload["file_content"] = f.read()
        except OSError as exc:
            print(f"mc: <ERROR> Unable to read policy file: {exc}", file=sys.stderr)
            return 1
    try:
        status, reply = http_json(target["url"] + "/_e2e/mc", payload)
    except (urllib.error.URLError, OSError) as exc:
        print(f"mc: <ERROR> Unable to reach {target['url']}: {exc}", file=sys.stderr)
        return 1
    if not isinstance(reply, dict):
        print(f"mc: <ERROR> unexpected answer {status}: {reply}", file=sys.stderr)
        return 1
    output = reply.get("output", "")
    (sys.stdout if reply.get("status") == 0 else sys.stderr).write(output)
    if reply.get("status") == 0 and args[:2] == ["alias", "set"]:
        aliases[args[2]] = alias
        os.makedirs(os.path.dirname(MC_CONFIG), exist_ok=True)
        with open(MC_CONFIG, "w") as f:
            json.dump(aliases, f)
    return int(reply.get("status", 1))


# --------------------------------------------------------------------------------------
# pgAdmin
# --------------------------------------------------------------------------------------


def pgadmin_main(argv):
    name = "pgadmin"
    email, _password = require_env(name, "PGADMIN_DEFAULT_EMAIL", "PGADMIN_DEFAULT_PASSWORD")
    if "@" not in email:
        fail(name, f"PGADMIN_DEFAULT_EMAIL {email!r} is not an e-mail address")
    port = int(os.environ.get("PGADMIN_LISTEN_PORT", "80"))
    # pgAdmin keeps its SQLite database in /var/lib/pgadmin (init sets its owner).
    try:
        with open("/var/lib/pgadmin/pgadmin4.db", "a") as f:
            f.write(f"started {time.time()}\n")
    except OSError as exc:
        fail(name, f"cannot write /var/lib/pgadmin: {exc}")
    # init copies nginx's CA bundle here for pgAdmin's outgoing TLS.
    if not os.access("/etc/ssl/certs/cacert.pem", os.R_OK):
        fail(name, "/etc/ssl/certs/cacert.pem (from init) is missing or unreadable")

    def app(port_, method, path, body, headers):
        route = path.split("?", 1)[0]
        if route == "/misc/ping":
            return text(200, "PING")
        if route == "/":
            return text(302, "", {"Location": "/login?next=%2F"})
        if route == "/login":
            return text(200, f"dioptra-e2e stand-in: pgAdmin login for {email} ({HOST})\n")
        return text(404, f"dioptra-e2e stand-in: pgAdmin has no {route}\n")

    serve(name, [port], app)


# --------------------------------------------------------------------------------------
# MLflow tracking, REST API, workers
# --------------------------------------------------------------------------------------


def option(argv, flag, default=None):
    return argv[argv.index(flag) + 1] if flag in argv else default


def mlflow_main(argv):
    name = "mlflow-tracking"
    backend = option(argv, "--backend-store-uri")
    artifacts = option(argv, "--default-artifact-root", "")
    port = int(option(argv, "--port", "5000"))
    if not backend:
        fail(name, "--backend-store-uri is required")
    if not backend.startswith("postgresql://"):
        fail(name, f"--backend-store-uri {backend!r} is not a postgresql:// URI (was it expanded?)")
    bucket = urllib.parse.urlparse(artifacts).netloc if artifacts.startswith("s3://") else None
    # `mlflow db upgrade`, then the server: both need the database.
    check_postgres_uri(name, backend, create_table="dioptra_e2e_mlflow")
    check_minio_login(name, want_policies=["mlflow-tracking-readwrite"], want_bucket=bucket)
    runs = jobs.mlflow_api(backend, artifacts, psql_script)

    def app(port_, method, path, body, headers):
        route = path.split("?", 1)[0]
        answer = runs(method, route, path.partition("?")[2], body)
        if answer is not None:
            return answer
        if route in ("/", "/health"):
            return text(200, f"dioptra-e2e stand-in: MLflow tracking server ({HOST}), artifacts {artifacts}\n")
        if route.startswith("/api/2.0/mlflow/"):
            return as_json(200, {"service": "mlflow-tracking", "path": path})
        return text(404, f"dioptra-e2e stand-in: MLflow has no {route}\n")

    serve(name, [port], app)


def psql_script(uri, script, **variables):
    """Runs a psql script with :'name' variables (quoted by psql, never pasted); returns stdout lines."""
    args = ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", uri]
    for k, v in variables.items():
        args += ["-v", f"{k}={v}"]
    r = subprocess.run(args, input=script, capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return r.stdout.split("\n")


def users_api(uri, sessions):
    """The two user routes of the 1.1 REST API that the deployment uses: register
    (POST /api/v1/users/) and log in (POST /api/v1/auth/login), kept in the
    restapi database like the real service's, so they outlive its container."""
    psql_script(uri, "CREATE TABLE IF NOT EXISTS dioptra_e2e_users (username text PRIMARY KEY, pw_hash text NOT NULL);")

    def pw_hash(user, password):
        return hashlib.sha256(f"{user}\0{password}".encode()).hexdigest()

    def route(method, route_, body):
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return as_json(400, {"error": "not JSON"})
        user, password = req.get("username", ""), req.get("password", "")
        if method == "POST" and route_ == "/api/v1/users/":
            if not user or not password or req.get("confirmPassword") != password or "@" not in req.get("email", ""):
                return as_json(400, {"error": "username, email, password and a matching confirmPassword are required"})
            added = psql_script(uri, "INSERT INTO dioptra_e2e_users VALUES (:'u', :'h') ON CONFLICT DO NOTHING RETURNING 1;",
                                u=user, h=pw_hash(user, password))
            return as_json(201, {"username": user}) if "1" in added else as_json(409, {"error": f"{user} exists"})
        if method == "POST" and route_ == "/api/v1/auth/login":
            found = psql_script(uri, "SELECT 1 FROM dioptra_e2e_users WHERE username = :'u' AND pw_hash = :'h';",
                                u=user, h=pw_hash(user, password))
            if "1" not in found:
                return as_json(401, {"error": "bad credentials"})
            return 200, "application/json", json.dumps({"status": "logged in", "username": user}) + "\n", jobs.new_session(sessions, user)
        return None

    return route


# Flask's SECRET_KEY when DIOPTRA_DEPLOY_SECRET_KEY is unset: public, so the real
# REST API would sign its cookies with a key anyone knows.
DEFAULT_SECRET_KEY = "deploy123"


def session_settings(name):
    """What the real REST API reads for its cookies, refused as the deployment
    must never leave it: no key, or the public default. Returns what the e2e
    run checks (a digest of the key, never the key, and the Secure flag)."""
    key, = require_env(name, "DIOPTRA_DEPLOY_SECRET_KEY")
    if key == DEFAULT_SECRET_KEY:
        fail(name, f"DIOPTRA_DEPLOY_SECRET_KEY is the public default {DEFAULT_SECRET_KEY!r}")
    return {"secret_key_sha256": hashlib.sha256(key.encode()).hexdigest(),
            "remember_cookie_secure": "DIOPTRA_REMEMBER_COOKIE_SECURE" in os.environ}


def restapi_main(argv):
    name = "restapi"
    uri, = require_env(name, "DIOPTRA_RESTAPI_DATABASE_URI")
    # The init restapi (`dioptra-db autoupgrade`) signs nothing and gets no key.
    session = session_settings(name) if "-redis:" in os.environ.get("E2E_WAITED_FOR", "") else {}
    # `dioptra-db autoupgrade`: logs in and creates tables.
    check_postgres_uri(name, uri, create_table="dioptra_e2e_restapi")
    sessions = {}
    users = users_api(uri, sessions)
    job_routes = jobs.jobs_api(RELEASE, uri, psql_script, sessions)
    waited = os.environ.get("E2E_WAITED_FOR", "")
    if "-minio:" in waited:
        policies, bucket = MINIO_NEEDS["restapi"]
        check_minio_login(name, want_policies=policies, want_bucket=bucket)
    if "-redis:" in waited:
        check_redis(name)
    tracking = os.environ.get("MLFLOW_TRACKING_URI", "")
    if tracking and "-mlflow-tracking:" in waited:
        check_http(name, tracking)

    def app(port_, method, path, body, headers):
        route = path.split("?", 1)[0]
        if route == "/health":
            return as_json(200, {"status": "ok", "service": "restapi", "host": HOST, **session})
        for answer in (users(method, route, body), job_routes(method, route, body, headers)):
            if answer is not None:
                return answer
        # The routes the real REST API has (Swagger UI at /, the API under /api/);
        # anything else is a 404, so a healthcheck probing a wrong path fails.
        if route in ("/", "/swagger.json") or route.startswith(("/api/", "/swaggerui/")):
            return as_json(200, {"service": "restapi", "host": HOST, "path": path,
                                 "forwarded_proto": headers.get("X-Forwarded-Proto")})
        return as_json(404, {"service": "restapi", "host": HOST, "path": path, "error": "not found"})

    serve(name, [5000], app)


def worker_main(argv):
    """`python -m dioptra.rq.cli.rq worker --url URI [--results-ttl N] QUEUES`."""
    name = "worker"
    if argv[:1] != ["worker"]:
        fail(name, f"expected 'worker ...', got {argv}")
    url = option(argv, "--url")
    if not url or not url.startswith("redis://"):
        fail(name, f"--url {url!r} is not a redis:// URI")
    os.environ["RQ_REDIS_URI"] = url
    queues = [a for i, a in enumerate(argv[1:], 1) if not a.startswith("--") and argv[i - 1] not in ("--url", "--results-ttl")]
    if RELEASE != "1.0":
        # dioptra-worker-v1 (1.1) refuses to start without these; it uses the account and MinIO per job.
        require_env(name, "MLFLOW_TRACKING_URI", "MLFLOW_S3_ENDPOINT_URL", "DIOPTRA_API", "DIOPTRA_WORKER_USERNAME", "DIOPTRA_WORKER_PASSWORD")
    check_redis(name)
    log(name, f"listening on queues {queues}; NVIDIA_VISIBLE_DEVICES={os.environ.get('NVIDIA_VISIBLE_DEVICES', '<unset>')}")
    try:
        # A real RQ worker blocks on Redis between jobs; losing Redis ends it.
        jobs.work(RELEASE, url, queues, HOST, lambda *msg: log(name, *msg))
    except Exception as exc:
        fail(name, f"lost Redis: {exc!r}")


def main():
    kind, argv = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    commands = {"minio": minio_main, "mc": mc_main, "pgadmin": pgadmin_main, "mlflow": mlflow_main,
                "restapi": restapi_main, "worker": worker_main}
    if kind not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[kind](argv) or 0


if __name__ == "__main__":
    sys.exit(main())
