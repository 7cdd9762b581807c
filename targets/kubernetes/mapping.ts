/**
 * How each Compose feature of the deployment becomes Kubernetes: the one
 * table the README section prints and the tests read.
 */
export interface KubeMappingRow {
  readonly compose: string;
  readonly fate: "mapped" | "dropped";
  readonly kubernetes: string;
}

export const COMPOSE_TO_KUBERNETES: readonly KubeMappingRow[] = [
  { compose: "service (db, redis, minio)", fate: "mapped", kubernetes: "StatefulSet, one replica, with a Service of the same name" },
  { compose: "service (others, workers, custom containers)", fate: "mapped", kubernetes: "Deployment, one replica; a Service of the same name when it listens, so the env files' and nginx confs' host names resolve unchanged" },
  { compose: "image, entrypoint, command", fate: "mapped", kubernetes: "`image`, `command`, `args` (`${VAR}` in args becomes `$(VAR)`)" },
  { compose: "environment", fate: "mapped", kubernetes: "`env`: literals as values, `${VAR}` from the Secret create-secrets.sh makes (`secretKeyRef`)" },
  { compose: "env_file", fate: "mapped", kubernetes: "a ConfigMap per env file, read with `envFrom`" },
  { compose: "named volumes holding state (postgres-data, minio-data, redis-data, dbadmin-data, nginx-frontend; driver volumes)", fate: "mapped", kubernetes: "PersistentVolumeClaims, ReadWriteOnce, sized per `kubernetes.volumes`, class from the storage-class overlay" },
  { compose: "nginx-conf-d", fate: "mapped", kubernetes: "a ConfigMap of the http_ confs; the https_ set and the Postgres stream are not used (TLS ends at the Ingress; the database stays inside the namespace)" },
  { compose: "NFS volumes", fate: "mapped", kubernetes: "`nfs` volumes (server and export), mounted by the kubelet" },
  { compose: "bind mounts (datasetsDirectory, bindMount)", fate: "mapped", kubernetes: "`hostPath` volumes: the folder must exist on every node the pod may run on; such pods are outside Pod Security \"restricted\"" },
  { compose: "ports", fate: "mapped", kubernetes: "named `containerPort`s and a ClusterIP Service; nginx's Service type is `kubernetes.serviceType`; users reach the web front through the Ingress" },
  { compose: "healthcheck", fate: "mapped", kubernetes: "exec readiness and liveness probes (interval → periodSeconds, timeout, retries → failureThreshold, start_period → the liveness probe's initialDelaySeconds)" },
  { compose: "user, cap_drop, cap_add, security_opt no-new-privileges, read_only, tmpfs", fate: "mapped", kubernetes: "`securityContext`: a fixed non-root user and fsGroup, `allowPrivilegeEscalation: false`, every capability dropped (pgAdmin keeps NET_BIND_SERVICE), seccomp RuntimeDefault, read-only roots with emptyDir volumes for the tmpfs paths" },
  { compose: "shm_size", fate: "mapped", kubernetes: "a memory-backed emptyDir at /dev/shm of that size" },
  { compose: "runtime: nvidia, NVIDIA_VISIBLE_DEVICES", fate: "mapped", kubernetes: "the GPU resource (`nvidia.com/gpu`) in limits and requests, as many as the worker's GPUs; the gpu overlay adds runtimeClassName, node selector and tolerations. An explicit index list keeps only its length: the device plugin picks the GPUs and sets NVIDIA_VISIBLE_DEVICES; `\"all\"` asks for `gpusPerNode`" },
  { compose: "init services (db, minio + mc, init-dioptra-worker)", fate: "mapped", kubernetes: "Jobs running the same scripts from a ConfigMap: database, MinIO accounts and buckets, the workers' account (1.1); each waits for what it needs" },
  { compose: ".env, secrets/", fate: "mapped", kubernetes: "three Secrets made in the cluster by kubernetes/create-secrets.sh from /dev/urandom; none is written to out/" },
  { compose: "network (bridge)", fate: "mapped", kubernetes: "the namespace, with NetworkPolicies: deny by default, then exactly the connections the services make" },
  { compose: "--wait-for db on workers", fate: "dropped", kubernetes: "workers never query PostgreSQL, and the NetworkPolicies keep them from it" },
  { compose: "CA-certificate volumes (*-ca-certificates, *-etc-ssl), minio-certs, postgres-etc-postgresql, postgres-var-certs, postgres-docker-entrypoint-initdb-d", fate: "dropped", kubernetes: "the images keep their own CA bundle (extra CAs: build them into the image); traffic inside the namespace is plain, TLS ends at the Ingress; the database Job replaces the initdb script" },
  { compose: "init: named-volumes, *-ssl, frontend-build", fate: "dropped", kubernetes: "ConfigMaps replace the copied files; the web front-end build is not run in the cluster: copy a build into the nginx-frontend claim" },
  { compose: "container_name, hostname, restart, depends_on, ports' host addresses", fate: "dropped", kubernetes: "pods are named by their controller and always restarted; dependsOn and waits order start-up; Services have no host address" },
  { compose: "overrides, environments (Compose overlays)", fate: "dropped", kubernetes: "Compose text; add a kustomize overlay of your own over base/" },
];
