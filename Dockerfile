# passk's sandbox image: Debian trixie with Icarus Verilog 12 (the version VerilogEval pins),
# Python 3 with numpy (HumanEval+ needs it), pylint (LintSeq's linter), an unprivileged user, and
# passk's in-container runner.
#
# Online: `docker build .` starts from debian:trixie-slim and installs the toolchain. Offline
# (`passk sandbox build` does this when the base cannot be pulled): the base is a Debian root made
# by scripts/setup-toolchain.sh --tar and `docker import`ed, which already holds the toolchain, and
# the build runs with --network=none --build-arg BASE=<that image>.
ARG BASE=debian:trixie-slim
FROM ${BASE}

RUN if ! (command -v iverilog && command -v vvp && command -v python3 && python3 -c 'import numpy, pylint') >/dev/null 2>&1; then \
      apt-get update \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iverilog python3 python3-numpy pylint \
      && rm -rf /var/lib/apt/lists/*; \
    fi

# Jobs and the runner run as this user; it owns nothing in the image. /work is the mount point of
# the jobs' tmpfs, which takes its mode (world-writable, sticky: the job cannot chmod it away).
RUN echo 'sandbox:x:10001:10001:passk sandbox:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
    && echo 'sandbox:x:10001:' >> /etc/group \
    && mkdir -p /opt/passk && install -d -m 1777 /work

COPY sandbox/runner.py /opt/passk/runner.py

USER 10001:10001
WORKDIR /work
# The runner is PID 1 (no --init): see the top of runner.py.
ENTRYPOINT ["python3", "-I", "/opt/passk/runner.py"]
