package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.berth.archive.TarEntry;
import dev.berth.archive.TarWriter;
import dev.berth.build.DockerIgnore;
import dev.berth.oci.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth build}: tars the context directory as docker does (its {@code .dockerignore}
 * applied here, the Dockerfile and the .dockerignore always sent), streams it to {@code POST /build}
 * and prints each step as the daemon reports it. A context of {@code -} is a tar read from stdin,
 * sent as it is; {@code -f -} reads the Dockerfile from stdin. A failed RUN makes the command exit
 * with that RUN's exit code, as {@code docker build} does.
 */
@Command(name = "build", description = "Build an image from a Dockerfile")
final class BuildCommand extends BaseCommand {
  private static final Pattern EXIT_CODE = Pattern.compile("returned a non-zero code: (\\d+)");

  @Option(names = {"-t", "--tag"}, paramLabel = "NAME[:TAG]", description = "Name and optionally a tag (several allowed)")
  List<String> tags = new ArrayList<>();

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Name of the Dockerfile (default: PATH/Dockerfile; - for stdin)")
  String file;

  @Option(names = "--build-arg", paramLabel = "KEY[=VALUE]", description = "Set build-time variables")
  List<String> buildArgs = new ArrayList<>();

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set metadata for an image")
  List<String> labels = new ArrayList<>();

  @Option(names = "--target", paramLabel = "STAGE", description = "Set the target build stage to build")
  String target;

  @Option(names = "--no-cache", description = "Do not use cache when building the image")
  boolean noCache;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Set platform if server is multi-platform capable")
  String platform;

  @Option(names = {"-q", "--quiet"}, description = "Suppress the build output and print image ID on success")
  boolean quiet;

  @Parameters(index = "0", paramLabel = "PATH|-", description = "The build context: a directory, or - for a tar on stdin")
  String context;

  @Override
  public Integer call() throws IOException {
    Map<String, String> args = new LinkedHashMap<>();
    for (String a : buildArgs) {
      int eq = a.indexOf('=');
      // KEY alone takes the value from the environment, as docker does; unset stays unset.
      args.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? System.getenv(a) : a.substring(eq + 1));
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      labelMap.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
    }
    boolean stdinContext = context.equals("-");
    if (stdinContext && "-".equals(file)) {
      throw new CliException(BerthCli.USAGE_ERROR, "invalid argument: can't use stdin for both build context and dockerfile");
    }
    HttpBody body;
    String dockerfileParam = file;
    if (stdinContext) {
      if (io().inTerminal()) {
        throw new CliException(BerthCli.USAGE_ERROR, "requested build context from stdin, but stdin is a terminal");
      }
      InputStream in = io().in();
      body = in::transferTo;
    } else {
      Path dir = Path.of(context);
      if (!Files.isDirectory(dir)) {
        throw new CliException(1, "unable to prepare context: path \"" + context + "\" not found");
      }
      byte[] extraDockerfile = null;
      String dockerfileInContext;
      if (file == null) {
        dockerfileInContext = "Dockerfile";
      } else if (file.equals("-")) {
        extraDockerfile = io().in().readAllBytes();
        dockerfileInContext = null;
      } else {
        Path f = Path.of(file).toAbsolutePath().normalize();
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(f)) {
          throw new CliException(1, "unable to prepare context: the Dockerfile (" + file + ") cannot be found");
        }
        if (f.startsWith(root)) {
          dockerfileInContext = root.relativize(f).toString();
        } else {
          extraDockerfile = Files.readAllBytes(f); // outside the context: sent inside it under a private name
          dockerfileInContext = null;
        }
      }
      if (extraDockerfile != null) {
        dockerfileParam = ".dockerfile." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
      } else {
        dockerfileParam = dockerfileInContext;
      }
      DockerIgnore ignore = readIgnore(dir);
      byte[] extra = extraDockerfile;
      String extraName = dockerfileParam;
      String keep = dockerfileInContext;
      body = out -> {
        TarWriter tar = TarWriter.to(out);
        new ContextTar(dir, ignore, keep).walk(tar, dir, "");
        if (extra != null) {
          tar.write(new TarEntry.RegularFile(extraName, extra.length, new TarEntry.Attributes(0600, 0, 0,
              java.time.Instant.now())), new ByteArrayInputStream(extra));
        }
        tar.finish();
      };
    }
    var query = new Engine.Query();
    tags.forEach(t -> query.add("t", t));
    query.addIf(dockerfileParam != null, "dockerfile", dockerfileParam);
    query.addIf(!args.isEmpty(), "buildargs", new String(Json.write(args), StandardCharsets.UTF_8));
    query.addIf(!labelMap.isEmpty(), "labels", new String(Json.write(labelMap), StandardCharsets.UTF_8));
    query.addIf(target != null, "target", target);
    query.addIf(noCache, "nocache", "1");
    query.addIf(platform != null, "platform", platform);
    query.addIf(quiet, "q", "1");
    query.add("rm", "1");
    var res = engine().send("POST", "/build" + query, body::writeTo, "application/x-tar");
    show(res.body());
    return 0;
  }

  /** Prints the stream; an in-band error ends the command with the failed RUN's exit code (else 1). */
  private void show(InputStream in) throws IOException {
    try (in; MappingIterator<JsonNode> it = Json.MAPPER.readerFor(JsonNode.class).readValues(in)) {
      while (it.hasNextValue()) {
        JsonNode m = it.nextValue();
        String error = m.path("errorDetail").path("message").asText(m.path("error").asText(""));
        if (!error.isEmpty()) {
          int code = m.path("errorDetail").path("code").asInt(0);
          if (code == 0) {
            Matcher x = EXIT_CODE.matcher(error);
            code = x.find() ? Integer.parseInt(x.group(1)) : 1;
          }
          throw new CliException(code, error);
        }
        String text = m.path("stream").asText("");
        if (!text.isEmpty()) {
          out().print(text);
          out().flush();
        }
      }
    }
  }

  private static DockerIgnore readIgnore(Path dir) throws IOException {
    Path f = dir.resolve(".dockerignore");
    if (!Files.isRegularFile(f)) {
      return DockerIgnore.NONE;
    }
    return DockerIgnore.parse(Files.readString(f, StandardCharsets.UTF_8));
  }

  @FunctionalInterface
  private interface HttpBody {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * The context as docker's client tars it: sorted entries, .dockerignore applied (an excluded
   * directory is skipped whole unless an exception pattern may re-include something in it), the
   * Dockerfile and the .dockerignore kept whatever the patterns say.
   */
  private record ContextTar(Path root, DockerIgnore ignore, String dockerfile) {
    void walk(TarWriter tar, Path dir, String prefix) throws IOException {
      List<Path> children;
      try (Stream<Path> list = Files.list(dir)) {
        children = list.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
      }
      for (Path child : children) {
        String name = prefix.isEmpty() ? child.getFileName().toString() : prefix + "/" + child.getFileName();
        boolean always = name.equals(".dockerignore") || name.equals(dockerfile);
        boolean excluded = !always && ignore.excludes(name);
        boolean isDir = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
        if (excluded && !(isDir && ignore.hasExceptions())) {
          continue;
        }
        Map<String, Object> a = Files.readAttributes(child, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        var attrs = new TarEntry.Attributes((Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"),
            ((FileTime) a.get("lastModifiedTime")).toInstant());
        if (isDir) {
          if (!excluded) {
            tar.write(new TarEntry.Directory(name, attrs));
          }
          walk(tar, child, name);
        } else if (excluded) {
          continue;
        } else if (Files.isSymbolicLink(child)) {
          tar.write(new TarEntry.Symlink(name, Files.readSymbolicLink(child).toString(), attrs));
        } else if (Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS)) {
          try (InputStream in = Files.newInputStream(child)) {
            tar.write(new TarEntry.RegularFile(name, Files.size(child), attrs), in);
          }
        }
        // Devices, FIFOs and sockets are not sent, as a build context has no use for them.
      }
    }
  }
}
