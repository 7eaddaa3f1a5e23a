package dev.berth.build;

import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to build, as {@code docker build} takes it.
 *
 * @param context where COPY and ADD read from
 * @param dockerfile the Dockerfile's path in the context ({@code -f}); null or "" for "Dockerfile"
 * @param dockerfileText the Dockerfile's text when it does not come from the context
 *     ({@code -f -}); null to read {@code dockerfile}
 * @param tags names to give the image ({@code -t}, several allowed); empty leaves it dangling
 * @param buildArgs {@code --build-arg} values; a null value means "declared but unset"
 * @param target the stage to build ({@code --target}); null for the last one
 * @param labels {@code --label}s set on the final image
 * @param noCache {@code --no-cache}: run every step, then record the results for the next build
 * @param platform the platform to build for; null for the host's
 * @param sourceDateEpoch seconds since the epoch for every timestamp the build writes (history,
 *     created, new directories; newer file times are clamped to it); null uses the
 *     {@code SOURCE_DATE_EPOCH} build arg if given, else the current time
 */
public record BuildRequest(BuildContext context, String dockerfile, String dockerfileText, List<Reference> tags,
    Map<String, String> buildArgs, String target, Map<String, String> labels, boolean noCache, Platform platform,
    Long sourceDateEpoch) {

  public BuildRequest {
    tags = tags == null ? List.of() : List.copyOf(tags);
    buildArgs = buildArgs == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(buildArgs));
    labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
  }

  /** A plain build of {@code context}'s Dockerfile. */
  public static BuildRequest of(BuildContext context, Reference... tags) {
    return new BuildRequest(context, null, null, List.of(tags), Map.of(), null, Map.of(), false, null, null);
  }

  public BuildRequest withBuildArgs(Map<String, String> args) {
    return new BuildRequest(context, dockerfile, dockerfileText, tags, args, target, labels, noCache, platform, sourceDateEpoch);
  }

  public BuildRequest withTarget(String t) {
    return new BuildRequest(context, dockerfile, dockerfileText, tags, buildArgs, t, labels, noCache, platform, sourceDateEpoch);
  }

  public BuildRequest withNoCache(boolean n) {
    return new BuildRequest(context, dockerfile, dockerfileText, tags, buildArgs, target, labels, n, platform, sourceDateEpoch);
  }

  public BuildRequest withLabels(Map<String, String> l) {
    return new BuildRequest(context, dockerfile, dockerfileText, tags, buildArgs, target, l, noCache, platform, sourceDateEpoch);
  }

  public BuildRequest withSourceDateEpoch(Long epoch) {
    return new BuildRequest(context, dockerfile, dockerfileText, tags, buildArgs, target, labels, noCache, platform, epoch);
  }

  public BuildRequest withDockerfile(String path, String text) {
    return new BuildRequest(context, path, text, tags, buildArgs, target, labels, noCache, platform, sourceDateEpoch);
  }
}
