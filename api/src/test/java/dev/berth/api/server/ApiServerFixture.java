package dev.berth.api.server;

import dev.berth.engine.ImageService;
import dev.berth.http.HttpClient;
import dev.berth.http.HttpServer;
import dev.berth.testing.rootfs.BusyboxRootfs;
import dev.berth.testing.tools.TempDirs;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** berthd's API in-process on a temp unix socket with a temp state root, and a client for it. */
final class ApiServerFixture implements AutoCloseable {
  final Path dir;
  final Path root;
  final Path socket;
  final ImageService images;
  final HttpServer server;
  final HttpClient client;

  ApiServerFixture() throws Exception {
    dir = TempDirs.create("berth-api-");
    root = dir.resolve("root");
    socket = dir.resolve("api.sock");
    images = ImageService.open(root);
    server = HttpServer.start(UnixDomainSocketAddress.of(socket),
        EngineApi.handler(images, EngineFacts.probe(root), true));
    client = HttpClient.unix(socket);
  }

  /** The stock docker CLI against this fixture's berthd. */
  DockerCli cli() {
    return new DockerCli(socket, dir);
  }

  /** A busybox rootfs tar, made once per fixture. */
  Path busyboxTar() {
    Path tar = dir.resolve("busybox.tar");
    if (!Files.exists(tar)) {
      BusyboxRootfs.create(dir.resolve("rootfs")).writeTar(tar);
    }
    return tar;
  }

  Path variantTar() {
    Path tar = dir.resolve("variant.tar");
    if (!Files.exists(tar)) {
      BusyboxRootfs.variant(dir.resolve("rootfs-variant")).writeTar(tar);
    }
    return tar;
  }

  @Override
  public void close() {
    client.close();
    server.close();
    TempDirs.delete(dir);
  }
}
