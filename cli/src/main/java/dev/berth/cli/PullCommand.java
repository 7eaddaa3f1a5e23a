package dev.berth.cli;

import dev.berth.oci.Reference;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth pull}: the daemon pulls; per-layer progress as it streams. */
@Command(name = "pull", description = "Download an image from a registry")
final class PullCommand extends BaseCommand {
  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Pull the image for this platform")
  String platform;

  @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output")
  boolean quiet;

  @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]")
  String name;

  @Override
  public Integer call() throws IOException {
    Reference ref = Reference.parse(name);
    String tag = ref.digest() != null ? ref.digest().toString() : ref.tag();
    String target = "/images/create?fromImage=" + enc(ref.withTag(null).withDigest(null).toString()) + "&tag=" + enc(tag)
        + (platform == null ? "" : "&platform=" + enc(platform));
    var res = engine().send("POST", target, RegistryAuth.headers(cli().env(), ref));
    if (quiet) {
      Progress.show(res, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false);
      out().println(ref.familiar());
    } else {
      Progress.show(res, out(), io().outTerminal());
      out().println(ref.familiar());
    }
    return 0;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
