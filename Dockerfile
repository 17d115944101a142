# klabot: one static binary in a small, non-root image.
# Build:  docker build -t klabot .
# Run:    see deploy/compose.yaml (Postgres, Redis, klabot serve, evidence volume).
# Docker does not run on the development machine; this file is kept simple and was
# checked by reading, not by building.

FROM golang:1.26-alpine AS build
WORKDIR /src
# Dependencies first, so code changes do not re-download modules.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO off: a static binary for a distroless image. time/tzdata is linked in by
# cmd/klabot, so Asia/Jakarta, Asia/Makassar and Asia/Jayapura work without /usr/share/zoneinfo.
# `klabot version` and klabot_build_info report these: docker build --build-arg VERSION=1.0.0
# --build-arg COMMIT=$(git rev-parse HEAD) .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build -trimpath \
      -ldflags="-s -w -X main.buildVersion=${VERSION} -X main.buildCommit=${COMMIT}" -o /out/klabot ./cmd/klabot \
 && mkdir -p /out/data/evidence

FROM gcr.io/distroless/static-debian12:nonroot
# distroless "nonroot" is uid/gid 65532; the evidence directory must belong to it so a
# fresh named volume inherits the ownership.
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/klabot /usr/local/bin/klabot
USER 65532:65532
WORKDIR /data
ENV EVIDENCE_DIR=/data/evidence \
    HTTP_ADDR=:8080
VOLUME ["/data/evidence"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/klabot"]
CMD ["serve"]
