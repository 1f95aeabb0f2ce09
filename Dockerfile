# Image with both executables of the seat reservation engine: BookingServer and QueueWorker.
#
#   docker build -t seat-reservation .
#   docker run --rm seat-reservation BookingServer --help
#
# Build stage: Swift 6.3 on Debian 12 with the C clients' headers (libpq, hiredis, rabbitmq-c).
# Run stage: the Swift runtime and the C clients' shared libraries only, as a non-root user.
# No HEALTHCHECK here: the compose files probe /health/live themselves.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev libhiredis-dev librabbitmq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Dependencies first, in their own layer: it is rebuilt only when the manifest changes.
# Package.* picks up Package.resolved too when the build context has one (it is git-ignored).
COPY Package.* ./
RUN swift package resolve

# Tests/ is needed only because the manifest declares the test targets.
COPY Sources ./Sources
COPY Tests ./Tests
# One product a build (swift build takes one --product); the second reuses the shared modules.
RUN swift build -c release --product BookingServer \
 && swift build -c release --product QueueWorker \
 && mkdir -p /staging \
 && bin="$(swift build -c release --show-bin-path)" \
 && cp "$bin/BookingServer" "$bin/QueueWorker" /staging/ \
 && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

FROM swift:6.3-bookworm-slim
# libpq5, libhiredis0.14, librabbitmq4: what the executables link; ca-certificates: HTTPS
# webhooks; curl: the compose files' health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libhiredis0.14 librabbitmq4 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --user-group --uid 10001 --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin booking
COPY --from=build /staging/ /usr/local/bin/
USER booking:booking
# BookingServer listens on 127.0.0.1 by default: in a container it must listen on every interface.
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["BookingServer"]
