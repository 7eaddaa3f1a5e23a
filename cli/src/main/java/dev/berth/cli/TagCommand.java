package dev.berth.cli;

import dev.berth.oci.Reference;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth tag SOURCE TARGET}: another name for an image; silent on success, as docker. */
@Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
final class TagCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]")
  String target;

  @Override
  public Integer call() throws IOException {
    Reference ref;
    try {
      ref = Reference.parseNormalized(target);
    } catch (RuntimeException e) {
      throw new CliException(e.getMessage());
    }
    if (ref.digest() != null) {
      throw new CliException("refusing to create a tag with a digest reference");
    }
    // Docker's client sends the full repository name and the tag apart; latest when none is given.
    var query = new Engine.Query().add("repo", ref.repository()).add("tag", ref.tag() == null ? "latest" : ref.tag());
    engine().send("POST", "/images/" + Engine.name(source) + "/tag" + query).close();
    return 0;
  }
}
