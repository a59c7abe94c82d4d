# Mailport sandbox image. Build and run (docs/ci.md#docker-image):
#   docker build -t mailport .
#   docker run --rm -p 1025:1025 -p 1465:1465 -p 1587:1587 -p 2525:2525 -p 8025:8025 \
#     -e MAILPORT_AUTH=app:secret -e MAILPORT_HTTP_AUTH=qa:a-long-password -v mailport-data:/data mailport

# Build stage: compiles TypeScript and the web UI, then drops the dev dependencies. The compiler
# toolchain is only here for better-sqlite3 on platforms without a prebuilt binary.
FROM node:20-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    MAILPORT_HOST=0.0.0.0 \
    MAILPORT_DATA_DIR=/data \
    MAILPORT_RELAY_PORT=1025 \
    MAILPORT_SUBMISSIONS_PORT=1465 \
    MAILPORT_SUBMISSION_PORT=1587 \
    MAILPORT_ALT_PORT=2525 \
    MAILPORT_HTTP_PORT=8025
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/ui ./dist/ui
COPY docker/healthcheck.mjs ./docker/healthcheck.mjs
# The data dir holds the SQLite store and the TLS CA; owned by the unprivileged `node` user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# relay (25-style), submissions (465-style), submission (587-style), alternate (2525), HTTP API + UI
EXPOSE 1025 1465 1587 2525 8025
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["node", "docker/healthcheck.mjs"]
ENTRYPOINT ["node", "bin/mailport"]
CMD ["serve"]
