package dev.berth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth save}: streams {@code GET /images/get} to a file or stdout. A file is written under
 * a temporary name and renamed when complete, so a failed save leaves no half archive behind.
 */
@Command(name = "save", description = "Save one or more images to a tar archive (streamed to STDOUT by default)")
final class SaveCommand extends BaseCommand {
  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to a file, instead of STDOUT")
  Path output;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Save only the given platform")
  List<String> platforms = List.of();

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> names;

  @Override
  public Integer call() throws IOException {
    if (output == null && io().outTerminal()) {
      throw new CliException("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    var query = new Engine.Query().addAll("names", names);
    for (String p : platforms) {
      query.add("platform", Platforms.json(p));
    }
    try (var res = engine().send("GET", "/images/get" + query); InputStream in = res.body()) {
      if (output == null) {
        in.transferTo(out());
        out().flush();
        return 0;
      }
      Path target = output.toAbsolutePath();
      Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
      try {
        try (OutputStream file = Files.newOutputStream(tmp)) {
          in.transferTo(file);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return 0;
  }
}
