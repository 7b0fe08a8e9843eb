# syntax=docker/dockerfile:1
# The API image: `docker build -t gatehouse .`. The same image runs the worker and the migrations
# (see docker-compose.yml): `node dist/src/worker.js`, `node dist/src/migrations/migrations.cli.js run`.

# Build: compile TypeScript with the dev dependencies. dev/ is compiled too (the source imports its
# embedded PostgreSQL in development), but not copied into the runtime stage.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --workspaces=false: the client packages (clients/typescript, clients/nest-auth) are for the API's callers
# and for other services, not in the image.
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY dev ./dev
COPY migrations ./migrations
RUN npm run build

# Runtime: production dependencies and the compiled app and migrations only, as the unprivileged
# `node` user. No development tooling: neither dev/ nor the embedded-postgres package is here.
FROM node:24-slim AS runtime
ENV NODE_ENV=production
# V8's heap, sized for a container of ~320 MB (deploy/kubernetes limits it to 384 MiB): a 16 MB
# young-generation semi-space and old space capped at 160 MB (the live heap is 40-55 MB). Under load
# the RSS peaks near 220 MB on reads and 260 MB with two password hashes in flight (19 MiB each). A
# 4 MB semi-space held it ~20 MB lower, but a page of a list keeps its rows alive across a scavenge
# there and cost up to a quarter more CPU (bench/README.md, issue 31). Override NODE_OPTIONS to change it.
ENV NODE_OPTIONS="--max-semi-space-size=16 --max-old-space-size=160"
# glibc gives each thread that allocates (V8's compiler and GC helpers) a malloc arena of its own and
# keeps what they free: two arenas hold the RSS 7-17 MB lower under load, at no CPU cost measured.
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/migrations ./dist/migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM reaches node directly (exec form): readiness fails, requests in flight finish, exit 0.
CMD ["node", "--import", "./dist/src/telemetry/tracing.js", "dist/src/main.js"]
