package dev.berth.oci;

/** Annotation keys that carry meaning across tools. */
public final class Annotations {
  private Annotations() {}

  /** The tag (or full name, as some writers put it) of an image in an OCI layout's index.json. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  /** The full image name, as containerd and Docker write it in index.json. */
  public static final String CONTAINERD_IMAGE_NAME = "io.containerd.image.name";
  public static final String CREATED = "org.opencontainers.image.created";
}
