# One container image for every replica: `statsig-bot serve --http` behind a load balancer,
# all replicas sharing one Redis (REDIS_URL). Configuration comes from the environment.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 statsig
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY policy.example.toml /etc/statsig-bot/policy.example.toml
USER statsig
WORKDIR /home/statsig
ENV PYTHONUNBUFFERED=1 LOG_LEVEL=INFO
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["statsig-bot"]
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
