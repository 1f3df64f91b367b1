# One image for every service; the command picks it: `python -m <service> api|worker|rebuild`, or the staff
# console: `python -m console web`.
FROM python:3.11-slim

# Pinned so builds are reproducible; the same uv the lock file was written with.
RUN pip install --no-cache-dir uv==0.13.9

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PYTHONUNBUFFERED=1

WORKDIR /app

# Dependencies first, from the lock file alone: this layer is reused until uv.lock changes.
COPY pyproject.toml uv.lock ./
COPY libs/contracts/pyproject.toml libs/contracts/
COPY libs/common/pyproject.toml libs/common/
COPY libs/devtools/pyproject.toml libs/devtools/
COPY services/registry/pyproject.toml services/registry/
COPY services/outreach/pyproject.toml services/outreach/
COPY services/assistance/pyproject.toml services/assistance/
COPY services/reporting/pyproject.toml services/reporting/
COPY services/console/pyproject.toml services/console/
RUN uv sync --frozen --no-dev --no-install-workspace

COPY libs/ libs/
COPY services/ services/
RUN uv sync --frozen --no-dev

ENV PATH=/app/.venv/bin:$PATH

# Services never need root; .local is where Settings.data_dir points by default.
RUN useradd --system --uid 10001 --home-dir /app vet && mkdir -p /app/.local && chown vet /app/.local
USER vet

EXPOSE 8100 8101 8102 8103 8104 8111 8112 8113 8114
CMD ["python", "-m", "registry", "api"]
