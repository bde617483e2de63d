# One container image for every replica: `statsig-bot serve --http` behind a load balancer,
# all replicas sharing one Redis (REDIS_URL). Configuration comes from the environment.
# The build stage makes the wheel (with the sandbox policy and every data file in it); the
# final stage installs only that wheel and its dependencies, without caches, as uid 10001.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="statsig-chatops" \
      org.opencontainers.image.description="Operate Statsig feature gates from Slack, with approvals in Redis" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 LOG_LEVEL=INFO
RUN useradd --create-home --uid 10001 statsig
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels /root/.cache
COPY policy.example.toml /etc/statsig-bot/policy.example.toml
USER 10001
WORKDIR /home/statsig
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2).status == 200 else 1)"]
ENTRYPOINT ["statsig-bot"]
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
