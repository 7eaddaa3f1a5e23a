package dev.berth.cli;

import dev.berth.oci.Reference;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code berth push}: the daemon pushes; per-layer progress as it streams. {@code NAME@DIGEST}
 * pushes by digest (no tag is set in the registry), the image being the one with that manifest.
 */
@Command(name = "push", description = "Upload an image to a registry")
final class PushCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME[:TAG|@DIGEST]")
  String name;

  @Override
  public Integer call() throws IOException {
    Reference ref = Reference.parse(name);
    String target = ref.digest() != null
        ? "/images/" + ref.withTag(null) + "/push"
        : "/images/" + ref.withTag(null).withDigest(null) + "/push?tag=" + PullCommand.enc(ref.tag() == null ? "" : ref.tag());
    var res = engine().send("POST", target, RegistryAuth.headers(cli().env(), ref));
    Progress.show(res, out(), io().outTerminal());
    return 0;
  }
}
