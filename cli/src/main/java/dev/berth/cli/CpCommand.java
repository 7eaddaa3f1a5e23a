package dev.berth.cli;

import dev.berth.archive.SafeExtractor;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth cp}: files between a container and the host, either way, as tars over the archive
 * endpoints. What comes out of a container is extracted with the safe extractor, so a hostile tar
 * cannot write outside the destination.
 */
@Command(name = "cp", description = "Copy files/folders between a container and the local filesystem")
final class CpCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "SRC")
  String src;

  @Parameters(index = "1", paramLabel = "DEST")
  String dest;

  @Override
  public Integer call() throws IOException {
    int s = src.indexOf(':');
    int d = dest.indexOf(':');
    boolean fromContainer = s > 0 && !src.startsWith("/") && !src.startsWith(".");
    boolean toContainer = d > 0 && !dest.startsWith("/") && !dest.startsWith(".");
    if (fromContainer == toContainer) {
      throw new CliException(BerthCli.USAGE_ERROR, fromContainer ? "copying between containers is not supported"
          : "must specify at least one container source");
    }
    if (fromContainer) {
      copyOut(src.substring(0, s), src.substring(s + 1), dest);
    } else {
      copyIn(Path.of(src), dest.substring(0, d), dest.substring(d + 1));
    }
    return 0;
  }

  private void copyOut(String container, String path, String to) throws IOException {
    var q = new Engine.Query().add("path", path);
    try (var res = engine().send("GET", "/containers/" + ContainerVerbs.path(container) + "/archive" + q)) {
      if (to.equals("-")) {
        res.body().transferTo(out());
        out().flush();
        return;
      }
      Path target = Path.of(to).toAbsolutePath();
      String name = stat(res.header("X-Docker-Container-Path-Stat"));
      if (Files.isDirectory(target)) {
        extract(res.body(), target);
        return;
      }
      if (!Files.isDirectory(target.getParent())) {
        throw new CliException("berth: destination directory " + target.getParent() + " does not exist");
      }
      Path tmp = Files.createTempDirectory(target.getParent(), ".berth-cp-");
      try {
        extract(res.body(), tmp);
        Files.move(tmp.resolve(name), target, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        deleteTree(tmp);
      }
    }
  }

  private static void extract(InputStream tar, Path into) throws IOException {
    SafeExtractor.into(into, SafeExtractor.Options.defaults()).extract(tar);
  }

  private static String stat(String header) {
    if (header == null) {
      throw new CliException("berth: the daemon sent no X-Docker-Container-Path-Stat header");
    }
    var node = Json.tree(Base64.getDecoder().decode(header), "path stat", 1 << 16);
    return node.path("name").asText();
  }

  private void copyIn(Path from, String container, String path) throws IOException {
    if (!Files.exists(from, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new CliException("berth: lstat " + from.toAbsolutePath() + ": no such file or directory");
    }
    Path abs = from.toAbsolutePath().normalize();
    String name = abs.getFileName().toString();
    String into = path;
    String entryName = name;
    boolean isDir = false;
    try (var res = engine().send("HEAD", "/containers/" + ContainerVerbs.path(container) + "/archive"
        + new Engine.Query().add("path", path))) {
      String h = res.header("X-Docker-Container-Path-Stat");
      if (h != null) {
        long mode = Json.tree(Base64.getDecoder().decode(h), "path stat", 1 << 16).path("mode").asLong();
        isDir = (mode & (1L << 31)) != 0;
      }
    } catch (DaemonException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
    if (!isDir) {
      String clean = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      int slash = clean.lastIndexOf('/');
      into = slash <= 0 ? "/" : clean.substring(0, slash);
      entryName = clean.substring(slash + 1);
    }
    var argv = new java.util.ArrayList<>(List.of("tar", "-C", abs.getParent().toString(), "-cf", "-"));
    if (!entryName.equals(name)) {
      argv.add("--transform=s|^" + name.replaceAll("([\\\\.*^$\\[\\]|&])", "\\\\$1") + "|" + entryName.replace("|", "\\|").replace("&", "\\&") + "|");
    }
    argv.add("--");
    argv.add(name);
    Process tar = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.PIPE).start();
    tar.getOutputStream().close();
    var q = new Engine.Query().add("path", into);
    try (var res = engine().send("PUT", "/containers/" + ContainerVerbs.path(container) + "/archive" + q,
        out -> tar.getInputStream().transferTo(out), "application/x-tar")) {
      res.bytes();
    }
    try {
      if (tar.waitFor() != 0) {
        throw new CliException("berth: archiving " + from + ": " + new String(tar.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
