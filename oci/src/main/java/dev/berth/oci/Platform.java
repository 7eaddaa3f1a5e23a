package dev.berth.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.berth.errors.InvalidArgumentException;
import java.util.List;
import java.util.Locale;

/** A platform as in image indexes: {@code linux/amd64}, {@code linux/arm64/v8}. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"architecture", "os", "os.version", "os.features", "variant"})
public record Platform(
    @JsonProperty("architecture") String architecture,
    @JsonProperty("os") String os,
    @JsonProperty("os.version") String osVersion,
    @JsonProperty("os.features") List<String> osFeatures,
    @JsonProperty("variant") String variant) {

  public Platform {
    if (architecture == null || architecture.isEmpty() || os == null || os.isEmpty()) {
      throw new InvalidArgumentException("platform needs an os and an architecture");
    }
    osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
  }

  public static Platform of(String os, String architecture, String variant) {
    return new Platform(architecture, os, null, null, variant);
  }

  /** Parses {@code os/arch[/variant]}, as {@code --platform} takes it. */
  public static Platform parse(String text) {
    String[] parts = text.toLowerCase(Locale.ROOT).split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
        || (parts.length == 3 && parts[2].isEmpty())) {
      throw new InvalidArgumentException("invalid platform \"" + text + "\": want os/arch[/variant], e.g. linux/arm64/v8");
    }
    return of(parts[0], normaliseArch(parts[1]), parts.length == 3 ? parts[2] : null).normalised();
  }

  /** The platform this JVM runs on, in OCI terms. */
  public static Platform host() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux") ? "linux" : System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = normaliseArch(System.getProperty("os.arch"));
    return of(os, arch, arch.equals("arm64") ? "v8" : null);
  }

  /** Fills the variant a registry may omit (arm64 means v8) so that comparisons are meaningful. */
  public Platform normalised() {
    if (architecture.equals("arm64") && (variant == null || variant.isEmpty())) {
      return new Platform(architecture, os, osVersion, osFeatures, "v8");
    }
    if (architecture.equals("arm") && (variant == null || variant.isEmpty())) {
      return new Platform(architecture, os, osVersion, osFeatures, "v7");
    }
    return this;
  }

  /** True when an image built for {@code candidate} runs here: os and architecture equal, variant equal when both say one. */
  public boolean matches(Platform candidate) {
    Platform a = normalised();
    Platform b = candidate.normalised();
    if (!a.os.equals(b.os) || !a.architecture.equals(b.architecture)) {
      return false;
    }
    return a.variant == null || b.variant == null || a.variant.equals(b.variant);
  }

  private static String normaliseArch(String arch) {
    return switch (arch) {
      case "x86_64", "x86-64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "i386", "i686", "x86" -> "386";
      default -> arch;
    };
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
  }
}
