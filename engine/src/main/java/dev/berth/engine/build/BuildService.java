package dev.berth.engine.build;

import dev.berth.build.BuildCache;
import dev.berth.build.BuildContext;
import dev.berth.build.BuildProgress;
import dev.berth.build.BuildRequest;
import dev.berth.build.BuildResult;
import dev.berth.build.Builder;
import dev.berth.build.ContainerRunSteps;
import dev.berth.engine.ImageService;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.OciTasks;
import dev.berth.engine.container.SnapshotRootfs;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Builds as a service: the {@link Builder} over the daemon's image store, its RUN steps run by the
 * same container runtime and snapshotter the containers use. State under the root:
 * {@code build-cache/} (one JSON file per cached step), {@code build-tmp/} (contexts and stages
 * while a build runs), {@code build-mounts/} (a RUN step's heredoc scripts while it runs),
 * {@code build-mounts-cache/} ({@code RUN --mount=type=cache} directories).
 *
 * <pre>{@code
 * var builds = BuildService.open(root, images, containers);
 * try (BuildContext ctx = builds.contextFromTar(body)) {
 *   BuildResult r = builds.build(BuildRequest.of(ctx, Reference.parse("app:1")), progress);
 * }
 * }</pre>
 */
public final class BuildService {
  private static final System.Logger LOG = System.getLogger("dev.berth.engine");

  private final Builder builder;
  private final Path scratch;
  private final boolean runs;

  private BuildService(Builder builder, Path scratch, boolean runs) {
    this.builder = builder;
    this.scratch = scratch;
    this.runs = runs;
  }

  /**
   * The build service of the daemon over {@code root}. Without containers (null), or when they do
   * not run on runc/conmon over snapshots, Dockerfiles with RUN are refused before anything runs.
   * Removes what builds a crash interrupted.
   */
  public static BuildService open(Path root, ImageService images, ContainerService containers) {
    ContainerRunSteps steps = null;
    if (containers != null && containers.runtime() instanceof OciTasks tasks
        && containers.rootfs() instanceof SnapshotRootfs rootfs) {
      steps = new ContainerRunSteps(tasks.runtime(), rootfs.snapshotter(), images.store().content(),
          root.resolve("build-mounts"));
      try {
        steps.removeInterrupted();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "removing what interrupted builds left: " + e.getMessage());
      }
    }
    Path scratch = root.resolve("build-tmp");
    BuildContext.deleteLeftovers(scratch);
    return new BuildService(new Builder(images.store(), BuildCache.at(root.resolve("build-cache")), scratch, steps),
        scratch, steps != null);
  }

  /** Whether RUN steps can run here. */
  public boolean runsSteps() {
    return runs;
  }

  /** A build context from a tar stream (plain or compressed), unpacked under the service's scratch directory. */
  public BuildContext contextFromTar(InputStream tar) {
    return BuildContext.fromTar(tar, scratch);
  }

  /** Builds; the image is stored and tagged only if every step succeeded. */
  public BuildResult build(BuildRequest request, BuildProgress progress) {
    return builder.build(request, progress);
  }
}
