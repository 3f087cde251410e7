# ScanLedger's container image: one static-ish binary on an empty base.
#
#   docker build -t scanledger .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://... scanledger
#
# Build stage: the Rust toolchain on Debian 12 builds the release binary. libpq and OpenSSL are
# compiled into it from source (pq-sys `bundled`, openssl-sys `vendored`: cc, perl and make,
# all in the rust image), so it loads only glibc, libgcc_s and the loader. scripts/image-rootfs
# then lays out the runtime file system: the stripped binary, exactly the libraries `ldd` names,
# /etc/passwd and /etc/group with the nonroot user (65532), /tmp and /data.
#
# Runtime stage: FROM scratch plus that file system; no shell, no package manager. The pod's
# root file system may be read-only: the server writes only to /tmp (uploads being spooled) and,
# on SQLite, to the database file (use PostgreSQL or mount /data).
#
# scripts/image-smoke builds this runtime stage from a locally built binary (this machine cannot
# pull the rust image), runs it, and checks the image's file list against image-rootfs's.
# Keep the runtime stage's only file-adding instructions the two COPY lines from `build`.

FROM docker.io/library/rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p scanledger \
 && scripts/image-rootfs target/release/scanledger /image

FROM scratch AS runtime
COPY --from=build /image/root/ /
COPY --from=build --chown=65532:65532 /image/data/ /data/
ENV PATH=/usr/local/bin \
    HOME=/data \
    SCANLEDGER_UPLOAD_DIR=/tmp
WORKDIR /data
USER 65532:65532
EXPOSE 8080
# Set by the pipeline that publishes the image, e.g.
#   --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) --build-arg SOURCE=https://...
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="ScanLedger" \
      org.opencontainers.image.description="Security-scan aggregator and SOC 2 evidence store: one binary, SQLite or PostgreSQL." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
ENTRYPOINT ["scanledger"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
