# framebot: a static binary on a minimal image, running as a non-root user.
#   docker build -t framebot .
#   docker run --rm -v "$PWD/my-corpus:/corpus:ro" -v framebot-data:/data \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -e SLACK_SIGNING_SECRET \
#     framebot serve --config /etc/framebot/config.yaml
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -tags goolm -trimpath -ldflags "-s -w" -o /out/framebot ./cmd/framebot \
 && mkdir -p /out/data /out/corpus

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/framebot /usr/local/bin/framebot
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/corpus /corpus
COPY config.example.yaml /etc/framebot/config.yaml
# The corpus is mounted read-only at /corpus; the index and the state
# database live under /data (a volume). Metrics and the /healthz and
# /readyz probes are served on 9090, apart from the chat listener (3000,
# Slack http mode only); see docs/operations.md.
ENV FRAMEBOT_CORPUS=/corpus FRAMEBOT_DATA_DIR=/data FRAMEBOT_METRICS_LISTEN=:9090
VOLUME ["/data"]
USER 65532:65532
EXPOSE 3000 9090
ENTRYPOINT ["/usr/local/bin/framebot"]
CMD ["serve", "--config", "/etc/framebot/config.yaml"]
