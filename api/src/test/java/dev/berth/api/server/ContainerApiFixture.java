package dev.berth.api.server;

import dev.berth.engine.ImageService;
import dev.berth.engine.container.ContainerService;
import dev.berth.http.HttpClient;
import dev.berth.http.HttpServer;
import dev.berth.image.RootfsImporter;
import dev.berth.oci.Reference;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.Command;
import dev.berth.testing.tools.ProcessResult;
import dev.berth.testing.tools.TempDirs;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * berthd's API with containers, in-process on a temp socket and root, with a busybox image
 * imported as {@code busybox:latest}. {@link #close()} removes every container it ran (so no
 * mounts, cgroups or conmons stay) and deletes the temp dir.
 */
final class ContainerApiFixture implements AutoCloseable {
  static final Path DOCKER = DockerCli.DOCKER;
  final Path dir;
  final Path root;
  final Path socket;
  final ImageService images;
  final ContainerService containers;
  final HttpServer server;
  final HttpClient client;
  final String cgroupParent;

  ContainerApiFixture() throws Exception {
    this(null);
  }

  /** With berthd's {@code --default-runtime} (null: the fastest that works). */
  ContainerApiFixture(String defaultRuntime) throws Exception {
    // Short: conmon's attach socket path under the root must fit a unix socket address (107 bytes).
    dir = Files.createDirectory(Path.of("/tmp", "b" + Long.toString(
        java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 24, 36)));
    root = dir.resolve("r");
    socket = dir.resolve("api.sock");
    images = ImageService.open(root);
    cgroupParent = "berth-test-" + dir.getFileName();
    containers = ContainerService.open(root, images, cgroupParent, defaultRuntime);
    containers.recover();
    server = HttpServer.start(UnixDomainSocketAddress.of(socket),
        EngineApi.handler(images, containers, EngineFacts.probe(root), true));
    client = HttpClient.unix(socket);
    Path tar = dir.resolve("busybox.tar");
    BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    try (InputStream in = Files.newInputStream(tar)) {
      images.importRootfs(in, new RootfsImporter.Request("-", Reference.parse("busybox:latest"),
          List.of("CMD [\"sh\"]", "ENV PATH=" + BusyboxRootfs.PATH), null, null));
    }
  }

  ProcessResult docker(String... args) {
    return cli().run(args);
  }

  Command dockerCommand(String... args) {
    return cli().command(args);
  }

  /** The stock docker CLI against this fixture's berthd. */
  DockerCli cli() {
    return new DockerCli(socket, dir);
  }

  /** Mounts under the state root; empty once all containers are gone. */
  List<Path> mounts() {
    return TempDirs.mountsUnder(root);
  }

  /** The cgroup directories of this fixture's containers, in any hierarchy. */
  List<Path> cgroups() {
    List<Path> out = new ArrayList<>();
    try (var tops = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path top : tops.toList()) {
        Path p = top.resolve(cgroupParent);
        if (Files.isDirectory(p)) {
          try (var kids = Files.list(p)) {
            kids.filter(Files::isDirectory).forEach(out::add);
          }
        }
      }
      Path unified = Path.of("/sys/fs/cgroup/unified").resolve(cgroupParent);
      if (Files.isDirectory(unified)) {
        try (var kids = Files.list(unified)) {
          kids.filter(Files::isDirectory).forEach(out::add);
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  @Override
  public void close() {
    for (var c : containers.list()) {
      try {
        containers.remove(c.id(), true, true);
      } catch (RuntimeException e) {
        System.err.println("removing " + c.id() + ": " + e.getMessage());
      }
    }
    containers.shutdown();
    client.close();
    server.close();
    for (Path top : List.of(Path.of("/sys/fs/cgroup"))) {
      try (var tops = Files.list(top)) {
        for (Path t : tops.toList()) {
          Path p = t.resolve(cgroupParent);
          if (Files.isDirectory(p)) {
            Files.delete(p);
          }
        }
      } catch (java.io.IOException e) {
        System.err.println("removing cgroup parent " + cgroupParent + ": " + e.getMessage());
      }
    }
    TempDirs.delete(dir);
  }
}
