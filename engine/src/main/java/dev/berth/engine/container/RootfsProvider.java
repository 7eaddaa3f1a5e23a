package dev.berth.engine.container;

import dev.berth.image.Image;
import java.nio.file.Path;

/**
 * Where a container's root filesystem comes from: the snapshotter (an overlay over shared layers)
 * or, without one, a plain copy. The rootfs of container {@code key} is mounted at {@code target}.
 */
public interface RootfsProvider {
  /** Makes a writable root for {@code key} from {@code image}, mounted at {@code target}. */
  void prepare(String key, Image image, Path target);

  /** Mounts the root of {@code key} at {@code target} again (after a daemon restart or a stop); a no-op if mounted. */
  void mount(String key, Path target);

  /** Unmounts {@code target}; the writable layer stays. Idempotent. */
  void unmount(String key, Path target);

  /** Unmounts and deletes the writable layer of {@code key}. Idempotent. */
  void remove(String key, Path target);

  /** Its name in {@code info} and inspect's {@code GraphDriver.Name}. */
  String name();
}
