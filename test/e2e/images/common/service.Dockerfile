# Stand-in for the Dioptra restapi and mlflow-tracking images, built with
# --build-arg KIND=restapi|mlflow: the image's user (dioptra, 39000:100), work
# folder and volumes, the port waiter at the image's path (the generated
# init-deployment.sh runs it in the restapi image to wait for the init db),
# and an entrypoint (images/<KIND>/entrypoint.sh) that waits for its
# --wait-for targets, then runs the stand-in service.
ARG BASE
FROM ${BASE}
ARG KIND
COPY common/standin.py common/jobs.py /opt/dioptra-e2e/
COPY common/wait-for-port.sh /usr/local/bin/wait-for-it.sh
COPY common/entrypoint-lib.sh ${KIND}/entrypoint.sh /usr/local/bin/
RUN set -eux; \
    useradd -u 39000 -N -m -s /bin/bash -c "Dioptra user" dioptra; \
    mkdir -p /work; \
    chown 39000:100 /work; \
    cd /usr/local/bin && chmod 0755 wait-for-it.sh entrypoint.sh && chmod 0644 entrypoint-lib.sh
ENV DIOPTRA_USER=dioptra DIOPTRA_UID=39000 DIOPTRA_GID=100 DIOPTRA_WORKDIR=/work
USER 39000
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
VOLUME ["/etc/ssl", "/usr/local/share/ca-certificates"]
