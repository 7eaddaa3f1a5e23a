package dev.berth.engine.container;

import dev.berth.oci.Digest;
import java.time.Instant;

/**
 * One container's metadata, as stored in {@code ROOT/containers/<id>/container.json}.
 *
 * @param name without Docker's leading slash
 * @param imageId the image the container was made from, pinned at create
 * @param spec the effective spec (merged with the image config)
 * @param runtime the OCI runtime the container runs with ({@code runc}, {@code crun}, {@code runsc})
 * @param snapshotKey the snapshotter key of its writable root
 */
public record Container(
    String id,
    String name,
    Instant created,
    Digest imageId,
    ContainerSpec spec,
    ContainerState state,
    String runtime,
    String snapshotKey) {

  public Container withState(ContainerState s) {
    return new Container(id, name, created, imageId, spec, s, runtime, snapshotKey);
  }

  public Container withName(String n) {
    return new Container(id, n, created, imageId, spec, state, runtime, snapshotKey);
  }

  public String shortId() {
    return id.substring(0, 12);
  }
}
