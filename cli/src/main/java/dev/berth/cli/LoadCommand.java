package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth load}: sends a docker or OCI archive to the daemon as it is read, never whole in
 * memory, and prints the daemon's {@code Loaded image: ...} lines as they come.
 */
@Command(name = "load", description = "Load an image from a tar archive or STDIN")
final class LoadCommand extends BaseCommand {
  @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Read from tar archive file or OCI layout directory, instead of STDIN ('-')")
  String input;

  @Option(names = {"-q", "--quiet"}, description = "Suppress the load output")
  boolean quiet;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Load only the given platform")
  List<String> platforms = List.of();

  @Override
  public Integer call() throws IOException {
    boolean stdin = input == null || input.equals("-");
    if (stdin && io().inTerminal()) {
      throw new CliException("requested load from stdin, but stdin is empty");
    }
    var query = new Engine.Query().addIf(quiet, "quiet", "1");
    for (String p : platforms) {
      query.add("platform", Platforms.json(p));
    }
    Engine engine = engine();
    if (!stdin && Files.isDirectory(Path.of(input))) {
      // An OCI image layout directory travels as a tar made on the fly, as the API takes archives.
      var layout = dev.berth.archive.DirectoryTar.of(Path.of(input));
      var res = engine.send("POST", "/images/load" + query, layout::writeTo, "application/x-tar");
      Progress.show(res, out(), io().outTerminal());
      return 0;
    }
    try (InputStream in = stdin ? io().in() : open(input)) {
      var res = engine.send("POST", "/images/load" + query, out -> in.transferTo(out), "application/x-tar");
      Progress.show(res, out(), io().outTerminal());
    }
    return 0;
  }

  static InputStream open(String file) throws IOException {
    try {
      return Files.newInputStream(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new CliException("open " + file + ": no such file or directory");
    }
  }
}
