package dev.berth.api.model;

import dev.berth.image.Image;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Reference;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Images as the Docker API shows them: pure functions from an {@link Image} to the answers of
 * {@code /images/json}, {@code /images/{name}/json} and {@code /images/{name}/history}, shaped per
 * API version the way Docker's router does (moby {@code image_routes.go}): Docker 20.10 for 1.41,
 * Docker 28 for 1.50.
 */
public final class ImageViews {
  private ImageViews() {}

  /** Go's zero {@code time.Time} in RFC 3339: what Docker writes for "never". */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  public static ImageSummary summary(Image image) {
    return summary(image, ApiVersion.CURRENT);
  }

  /**
   * Before 1.43 an image with neither tags nor digests shows {@code <none>:<none>} and
   * {@code <none>@<none>}, and empty lists are null; from 1.43 they are {@code []}.
   * {@code VirtualSize} only before 1.44, {@code Descriptor} from 1.48.
   */
  public static ImageSummary summary(Image image, ApiVersion v) {
    List<String> tags = repoTags(image);
    List<String> digests = repoDigests(image);
    if (v.lessThan("1.43")) {
      if (tags.isEmpty() && digests.isEmpty()) {
        tags = List.of("<none>:<none>");
        digests = List.of("<none>@<none>");
      }
      tags = tags.isEmpty() ? null : tags;
      digests = digests.isEmpty() ? null : digests;
    }
    ImageConfig c = image.config();
    return new ImageSummary(
        -1, // counting containers needs the engine; -1 is Docker's "not counted"
        unixSeconds(c.created()),
        image.id().toString(),
        sorted(c.configOrEmpty().labels()),
        "",
        v.lessThan("1.48") ? null : image.target(),
        null,
        digests,
        tags,
        -1, // shared size is computed only on request (shared-size=1), and layers are not shared here yet
        image.size(),
        v.lessThan("1.44") ? image.size() : null);
  }

  public static ImageInspect inspect(Image image, ApiVersion v) {
    return inspect(image, v, ImageInspect.GraphDriver.OVERLAYFS);
  }

  /**
   * Version gates, as in Docker 28's router: {@code VirtualSize} and a zero {@code Created} before
   * 1.44; {@code Container}/{@code ContainerConfig} before 1.45; {@code Descriptor} from 1.48;
   * Docker's {@code container.Config} shape of {@code Config} before 1.50, the OCI shape from 1.50;
   * empty {@code Parent}, {@code Comment}, {@code DockerVersion} and {@code Author} left out from 1.52.
   */
  public static ImageInspect inspect(Image image, ApiVersion v, ImageInspect.GraphDriver driver) {
    ImageConfig c = image.config();
    boolean omitEmptyText = v.atLeast("1.52");
    String created = c.created() == null ? null : rfc3339Nano(c.created());
    if (created == null && v.lessThan("1.44")) {
      created = ZERO_TIME;
    }
    ImageInspect.Config config;
    if (v.lessThan("1.50")) {
      // Docker 20.10 answers null for an image config without "config"; Docker 28 fills the legacy shape.
      config = c.config() == null && v.lessThan("1.42") ? null : legacy(c.configOrEmpty());
    } else {
      config = oci(c.configOrEmpty());
    }
    boolean before145 = v.lessThan("1.45");
    return new ImageInspect(
        image.id().toString(),
        repoTags(image),
        repoDigests(image),
        text("", omitEmptyText),
        text(c.comment(), omitEmptyText),
        created,
        before145 ? orEmpty(c.container()) : null,
        before145 ? legacy(c.containerConfig() == null ? ContainerConfig.EMPTY : c.containerConfig()) : null,
        text(c.dockerVersion(), omitEmptyText),
        text(c.author(), omitEmptyText),
        config,
        c.architecture(),
        c.variant(),
        c.os(),
        c.osVersion(),
        image.size(),
        v.lessThan("1.44") ? image.size() : null,
        driver,
        new ImageInspect.RootFs("layers", c.rootfs().diffIds().stream().map(Digest::toString).toList()),
        new ImageInspect.Metadata(image.dangling() || image.added() == null ? ZERO_TIME : rfc3339Nano(image.added())),
        v.lessThan("1.48") ? null : image.target(),
        null);
  }

  /**
   * The config's history, newest first. A step that made a layer gets the size of the next
   * manifest layer, in order; the top entry carries the image ID and its tags, the others
   * {@code <missing>}. An image whose config has no history has none, as in Docker.
   */
  public static List<HistoryItem> history(Image image) {
    List<ImageConfig.History> steps = image.config().history() == null ? List.of() : image.config().history();
    List<Descriptor> layers = image.manifest().layers();
    List<HistoryItem> items = new ArrayList<>(steps.size());
    int layer = 0;
    for (ImageConfig.History h : steps) {
      long size = 0;
      if (!h.emptyLayer()) {
        // More layer steps than layers is malformed; showing 0 beats refusing to show the rest.
        size = layer < layers.size() ? image.layerSizes().get(layer) : 0;
        layer++;
      }
      items.addFirst(new HistoryItem(orEmpty(h.comment()), unixSeconds(h.created()), orEmpty(h.createdBy()),
          HistoryItem.MISSING, size, null));
    }
    if (!items.isEmpty()) {
      HistoryItem top = items.getFirst();
      List<String> tags = repoTags(image);
      items.set(0, new HistoryItem(top.comment(), top.created(), top.createdBy(), image.id().toString(), top.size(),
          tags.isEmpty() ? null : tags));
    }
    return List.copyOf(items);
  }

  /** Tags in familiar form ({@code busybox:latest}), sorted as Docker's reference store sorts them. */
  static List<String> repoTags(Image image) {
    return image.tags().stream().filter(r -> r.tag() != null).map(Reference::familiar).sorted().toList();
  }

  /** Digests in familiar form ({@code busybox@sha256:…}), sorted. */
  static List<String> repoDigests(Image image) {
    return image.repoDigests().stream().map(ImageViews::familiar).sorted().toList();
  }

  private static String familiar(String name) {
    try {
      return Reference.parseNormalized(name).familiar();
    } catch (RuntimeException e) {
      return name;
    }
  }

  static ImageInspect.LegacyConfig legacy(ContainerConfig c) {
    return new ImageInspect.LegacyConfig(
        orEmpty(c.hostname()), orEmpty(c.domainname()), orEmpty(c.user()),
        is(c.attachStdin()), is(c.attachStdout()), is(c.attachStderr()),
        sorted(c.exposedPorts()),
        is(c.tty()), is(c.openStdin()), is(c.stdinOnce()),
        c.env(), c.cmd(), c.healthcheck(), is(c.argsEscaped()),
        orEmpty(c.image()), sorted(c.volumes()), orEmpty(c.workingDir()), c.entrypoint(),
        false, null,
        c.onBuild(), sorted(c.labels()), c.stopSignal(), null, c.shell());
  }

  /** Go's {@code omitempty} drops empty lists and maps, then Docker 28.3 adds the eight back as null. */
  static ImageInspect.OciConfig oci(ContainerConfig c) {
    return new ImageInspect.OciConfig(
        orEmpty(c.user()), sorted(c.exposedPorts()), nullIfEmpty(c.env()), nullIfEmpty(c.entrypoint()),
        nullIfEmpty(c.cmd()), nullIfEmpty(sorted(c.volumes())), orEmpty(c.workingDir()),
        nullIfEmpty(sorted(c.labels())), c.stopSignal(), is(c.argsEscaped()), c.healthcheck(),
        nullIfEmpty(c.onBuild()), c.shell());
  }

  /**
   * A timestamp as Go's {@code RFC3339Nano} writes it: trailing zeros of the fraction dropped,
   * {@code Z} for UTC, the offset otherwise. Text that does not parse is passed through unchanged.
   */
  public static String rfc3339Nano(String timestamp) {
    try {
      return rfc3339Nano(OffsetDateTime.parse(timestamp));
    } catch (DateTimeParseException e) {
      return timestamp;
    }
  }

  public static String rfc3339Nano(Instant instant) {
    return rfc3339Nano(instant.atOffset(ZoneOffset.UTC));
  }

  private static String rfc3339Nano(OffsetDateTime t) {
    StringBuilder sb = new StringBuilder(35);
    sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d",
        t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
    if (t.getNano() != 0) {
      String frac = String.format("%09d", t.getNano());
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      sb.append('.').append(frac, 0, end);
    }
    sb.append(t.getOffset().getTotalSeconds() == 0 ? "Z" : t.getOffset().getId());
    return sb.toString();
  }

  /** Unix seconds of an RFC 3339 timestamp; 0 when absent or unreadable, as Docker 28 does. */
  public static long unixSeconds(String timestamp) {
    if (timestamp == null) {
      return 0;
    }
    try {
      return OffsetDateTime.parse(timestamp).toEpochSecond();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  private static String text(String s, boolean omitEmpty) {
    return s == null || s.isEmpty() ? (omitEmpty ? null : "") : s;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static boolean is(Boolean b) {
    return b != null && b;
  }

  /** Go writes map keys sorted. */
  private static <V> Map<String, V> sorted(Map<String, V> m) {
    return m == null ? null : java.util.Collections.unmodifiableMap(new TreeMap<>(m));
  }

  private static <T extends Collection<?>> T nullIfEmpty(T c) {
    return c == null || c.isEmpty() ? null : c;
  }

  private static <M extends Map<?, ?>> M nullIfEmpty(M m) {
    return m == null || m.isEmpty() ? null : m;
  }
}
