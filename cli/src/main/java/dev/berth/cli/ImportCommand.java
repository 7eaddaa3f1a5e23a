package dev.berth.cli;

import dev.berth.oci.Reference;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code berth import}: makes a one-layer image of a filesystem tarball, streamed as the body of
 * {@code POST /images/create?fromSrc=-}; a URL source is left for the daemon to fetch. Prints the
 * daemon's progress, the last line being the new image's ID.
 */
@Command(name = "import", description = "Import the contents from a tarball to create a filesystem image")
final class ImportCommand extends BaseCommand {
  @Option(names = {"-c", "--change"}, paramLabel = "INSTRUCTION", description = "Apply Dockerfile instruction to the created image")
  List<String> changes = new ArrayList<>();

  @Option(names = {"-m", "--message"}, paramLabel = "MSG", description = "Set commit message for imported image")
  String message;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Set platform if server is multi-platform capable")
  String platform;

  @Parameters(index = "0", paramLabel = "file|URL|-")
  String source;

  @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
  String reference;

  @Override
  public Integer call() throws IOException {
    boolean url = source.startsWith("http://") || source.startsWith("https://");
    boolean stdin = source.equals("-");
    var query = new Engine.Query().add("fromSrc", url ? source : "-");
    if (reference != null) {
      Reference ref;
      try {
        ref = Reference.parseNormalized(reference);
      } catch (RuntimeException e) {
        throw new CliException(e.getMessage());
      }
      if (ref.digest() != null) {
        throw new CliException("cannot import with a digest reference: " + reference);
      }
      query.add("repo", ref.familiarRepository()).add("tag", ref.tag() == null ? "latest" : ref.tag());
    }
    if (message != null) {
      query.add("message", message);
    }
    query.addAll("changes", changes);
    if (platform != null) {
      query.add("platform", platform.toLowerCase(Locale.ROOT));
    }
    if (stdin && io().inTerminal()) {
      throw new CliException("requested import from stdin, but stdin is a terminal");
    }
    Engine engine = engine();
    if (url) {
      Progress.show(engine.send("POST", "/images/create" + query), out(), io().outTerminal());
      return 0;
    }
    try (InputStream in = stdin ? io().in() : LoadCommand.open(source)) {
      var res = engine.send("POST", "/images/create" + query, out -> in.transferTo(out), "application/x-tar");
      Progress.show(res, out(), io().outTerminal());
    }
    return 0;
  }
}
