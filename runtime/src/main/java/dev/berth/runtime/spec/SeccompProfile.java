package dev.berth.runtime.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * berth's default seccomp profile (resource {@code seccomp-default.json}): Docker's default allow
 * list, with rules that apply only with some capabilities, on some architectures or from a kernel
 * version on. {@link #resolve} turns it into the OCI {@code linux.seccomp} for one container, as
 * Docker does, so that e.g. {@code --cap-add SYS_ADMIN} also allows mount(2).
 */
public final class SeccompProfile {
  private static final JsonNode PROFILE = load();

  private SeccompProfile() {}

  private static JsonNode load() {
    try (var in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
      if (in == null) {
        throw new IllegalStateException("resource seccomp-default.json missing from the runtime module");
      }
      return Json.tree(in.readAllBytes(), "seccomp-default.json", Json.MAX_METADATA_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException("reading the default seccomp profile", e);
    }
  }

  /** The profile for a container with these capabilities ({@code CAP_*}) on this host. */
  public static Spec.Seccomp resolve(Collection<String> caps) {
    return resolve(caps, goArch(System.getProperty("os.arch")), kernelVersion());
  }

  static Spec.Seccomp resolve(Collection<String> caps, String arch, int[] kernel) {
    var syscalls = new ArrayList<Spec.Syscall>();
    for (var rule : PROFILE.get("rules")) {
      if (!applies(rule, caps, arch, kernel)) {
        continue;
      }
      var names = new ArrayList<String>();
      rule.get("names").forEach(n -> names.add(n.asText()));
      List<Spec.SeccompArg> args = null;
      if (rule.has("args")) {
        args = new ArrayList<>();
        for (var a : rule.get("args")) {
          args.add(new Spec.SeccompArg(a.get("index").asInt(), a.get("value").asLong(),
              a.has("valueTwo") ? a.get("valueTwo").asLong() : null, a.get("op").asText()));
        }
      }
      syscalls.add(new Spec.Syscall(names, rule.get("action").asText(),
          rule.has("errnoRet") ? rule.get("errnoRet").asInt() : null, args));
    }
    var arches = new ArrayList<String>();
    var mapped = PROFILE.get("architectures").get(arch);
    if (mapped != null) {
      mapped.forEach(a -> arches.add(a.asText()));
    }
    return new Spec.Seccomp(PROFILE.get("defaultAction").asText(), PROFILE.get("defaultErrnoRet").asInt(),
        arches, syscalls);
  }

  private static boolean applies(JsonNode rule, Collection<String> caps, String arch, int[] kernel) {
    if (rule.has("ifCaps") && !allIn(rule.get("ifCaps"), caps)) {
      return false;
    }
    if (rule.has("unlessCaps") && allIn(rule.get("unlessCaps"), caps)) {
      return false;
    }
    if (rule.has("ifArches") && !contains(rule.get("ifArches"), arch)) {
      return false;
    }
    if (rule.has("unlessArches") && contains(rule.get("unlessArches"), arch)) {
      return false;
    }
    if (rule.has("minKernel")) {
      var want = rule.get("minKernel").asText().split("\\.");
      int major = Integer.parseInt(want[0]);
      int minor = want.length > 1 ? Integer.parseInt(want[1]) : 0;
      return kernel[0] > major || (kernel[0] == major && kernel[1] >= minor);
    }
    return true;
  }

  private static boolean allIn(JsonNode list, Collection<String> caps) {
    for (var c : list) {
      if (!caps.contains(c.asText())) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(JsonNode list, String v) {
    for (var c : list) {
      if (c.asText().equals(v)) {
        return true;
      }
    }
    return false;
  }

  /** Go's architecture names, which the profile uses. */
  static String goArch(String javaArch) {
    return switch (javaArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "ppc64le" -> "ppc64le";
      case "s390x" -> "s390x";
      case "riscv64" -> "riscv64";
      default -> javaArch;
    };
  }

  static int[] kernelVersion() {
    var parts = System.getProperty("os.version", "0.0").split("[.-]");
    try {
      return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0};
    } catch (NumberFormatException e) {
      return new int[] {0, 0};
    }
  }
}
