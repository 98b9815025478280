# pm in a small image: a static musl build, then Alpine with git (pm reads dates, approvals and
# changed files from git history) and curl (the CI jobs post reports to chat), run as a user
# without privileges. `docker run --rm -v "$PWD:/repo" ghcr.io/your-org/pm check`.

FROM rust:1-alpine AS build
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin pm \
    && strip target/release/pm

FROM alpine:3.22
# hadolint ignore=DL3018
RUN apk add --no-cache git curl ca-certificates \
    && adduser -D -u 10001 pm \
    # CI runners mount the checkout owned by another user: let git read it.
    && git config --system --add safe.directory '*'
COPY --from=build /src/target/release/pm /usr/local/bin/pm
USER 10001
WORKDIR /repo
ENTRYPOINT ["pm"]
CMD ["--help"]
