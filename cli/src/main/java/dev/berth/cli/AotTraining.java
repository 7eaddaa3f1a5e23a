package dev.berth.cli;

import dev.berth.http.HttpServer;
import dev.berth.http.Router;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The workload the launcher records the CLI's AOT cache with ({@code berth __aot-train}): the
 * commonest commands against a throwaway in-process server that answers as berthd does, so that
 * the classes of the client path (HTTP, JSON, tables) are in the cache, not only those of
 * {@code --help}. Nothing here touches a real daemon or the state root.
 */
final class AotTraining {
  private AotTraining() {}

  static final String COMMAND = "__aot-train";

  private static final String ID = "sha256:" + "3f".repeat(32);
  private static final String VERSION = """
      {"Platform":{"Name":"berth"},"Components":[{"Name":"Engine","Version":"0","Details":{"ApiVersion":"1.50"}}],
      "Version":"0","ApiVersion":"1.50","MinAPIVersion":"1.24","GitCommit":"","GoVersion":"java","Os":"linux",
      "Arch":"amd64","KernelVersion":"6","BuildTime":""}""";
  private static final String SUMMARY = """
      [{"Containers":-1,"Created":1700000000,"Id":"%s","Labels":null,"ParentId":"","RepoDigests":[],
      "RepoTags":["busybox:latest"],"SharedSize":-1,"Size":2140160}]""".formatted(ID);
  private static final String INSPECT = """
      {"Id":"%s","RepoTags":["busybox:latest"],"RepoDigests":[],"Parent":"","Comment":"","Created":"2024-01-01T00:00:00Z",
      "DockerVersion":"","Author":"","Config":{"Env":["PATH=/bin"],"Cmd":["sh"]},"Architecture":"amd64","Os":"linux",
      "Size":2140160,"GraphDriver":{"Data":null,"Name":"overlayfs"},"RootFS":{"Type":"layers","Layers":["%s"]},
      "Metadata":{"LastTagTime":"0001-01-01T00:00:00Z"}}""".formatted(ID, ID);
  private static final String HISTORY = """
      [{"Comment":"","Created":1700000000,"CreatedBy":"/bin/sh -c echo","Id":"%s","Size":2140160,"Tags":["busybox:latest"]}]"""
      .formatted(ID);

  static int run() throws IOException {
    Path dir = Files.createTempDirectory("berth-aot-");
    Path socket = dir.resolve("train.sock");
    Router api = new Router()
        .get("/_ping", (req, res) -> res.header("Api-Version", "1.50").send("OK"))
        .get("/v{v}/version", (req, res) -> json(res, VERSION))
        .get("/v{v}/images/json", (req, res) -> json(res, SUMMARY))
        .get("/v{v}/images/{name...}/json", (req, res) -> json(res, INSPECT))
        .get("/v{v}/images/{name...}/history", (req, res) -> json(res, HISTORY));
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
    try (HttpServer server = HttpServer.start(UnixDomainSocketAddress.of(socket), api)) {
      Map<String, String> env = Map.of("BERTH_HOST", "unix://" + socket, "BERTH_AUTOSTART", "0");
      for (String[] args : new String[][] {
          {"version"}, {"images"}, {"images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"},
          {"image", "inspect", "busybox"}, {"history", "busybox"}, {"rmi", "busybox"}}) {
        BerthCli.run(new Streams(new ByteArrayInputStream(new byte[0]), sink, sink, false, false), env, args);
      }
    } finally {
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
    }
    return 0;
  }

  private static void json(dev.berth.http.HttpResponse res, String body) throws IOException {
    res.contentType("application/json").send(body);
  }
}
