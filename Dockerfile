# Multi-stage build of the manager: a static binary on an empty base, run as a non-root user.
# It needs no system CA bundle: in-cluster and kubeconfig connections carry their own CA.
# `manager seed` (the seeding Jobs) runs from the same image, which the operator reads from its
# own pod. Built by `make docker-build`, or `make docker-buildx` for several platforms (GOARCH
# follows TARGETARCH; no --platform=$BUILDPLATFORM, which the legacy builder cannot parse).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# Everything .dockerignore lets through: the Go packages (api/, cmd/, controllers/, internal/)
# and the root's .go files; new package folders must be listed there.
COPY . .
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /manager .

FROM scratch
COPY --from=build /manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
