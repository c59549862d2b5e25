# Multi-stage build of the manager: a static binary on an empty base, run as a non-root user.
# It needs no system CA bundle: in-cluster and kubeconfig connections carry their own CA.
# `manager seed` (the seeding Jobs) runs from the same image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY controllers/ controllers/
COPY internal/ internal/
COPY main.go ./
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /manager .

FROM scratch
COPY --from=build /manager /manager
USER 65532:65532
ENTRYPOINT ["/manager"]
