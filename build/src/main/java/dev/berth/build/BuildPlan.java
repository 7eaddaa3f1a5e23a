package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Platform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a build will do, decided before anything runs: the global ARG values, every stage's base
 * (after substituting the global ARGs into FROM), the target, and the stages it needs (through
 * FROM and {@code COPY --from} / {@code RUN --mount=from=}), in build order.
 *
 * <pre>{@code
 * BuildPlan plan = BuildPlan.of(dockerfile, Map.of("VERSION", "1.2"), "test", Platform.host());
 * plan.stages()   // the stages to build, bottom first, the target last
 * }</pre>
 */
public record BuildPlan(Dockerfile dockerfile, Map<String, String> globalArgs, List<PlannedStage> stages,
    PlannedStage target, Platform platform, List<String> unusedBuildArgs) {

  /** Build args usable without an ARG (proxies); they reach RUN but not history or the cache key. */
  public static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
      "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

  public BuildPlan {
    globalArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(globalArgs));
    stages = List.copyOf(stages);
    unusedBuildArgs = List.copyOf(unusedBuildArgs);
  }

  /** Where a stage starts. */
  public sealed interface Base {
    record Scratch() implements Base {}

    /** Another stage's result. */
    record StageRef(int index) implements Base {}

    /** An image by name or ID. */
    record ImageRef(String reference) implements Base {}
  }

  /** A stage to build: its base (FROM after substitution) and platform. */
  public record PlannedStage(Dockerfile.Stage stage, String baseName, Base base, Platform platform) {}

  public static BuildPlan of(Dockerfile df, Map<String, String> buildArgs, String target, Platform platform) {
    Platform p = platform == null ? Platform.host() : platform;
    ShellLex lex = new ShellLex(df.escapeToken());
    Map<String, String> global = new LinkedHashMap<>(automaticArgs(p));
    Set<String> declared = new TreeSet<>();
    for (Instruction.Arg a : df.globalArgs()) {
      for (Instruction.ArgDef def : a.args()) {
        declared.add(def.name());
        String v = buildArgs.containsKey(def.name()) ? buildArgs.get(def.name())
            : def.defaultValue() == null ? null : expand(lex, df, a.line(), def.defaultValue(), global);
        if (v != null) {
          global.put(def.name(), v);
        } else {
          global.remove(def.name());
        }
      }
    }
    List<PlannedStage> all = new ArrayList<>();
    for (Dockerfile.Stage s : df.stages()) {
      Instruction.From from = s.from();
      String base = expand(lex, df, from.line(), from.image(), global);
      if (base.isEmpty()) {
        throw new InvalidArgumentException(df.name() + ":" + from.line() + ": base name (" + from.image()
            + ") should not be blank");
      }
      Platform sp = p;
      if (from.platform() != null) {
        String ps = expand(lex, df, from.line(), from.platform(), global);
        try {
          sp = Platform.parse(ps);
        } catch (InvalidArgumentException e) {
          throw new InvalidArgumentException(df.name() + ":" + from.line() + ": " + e.getMessage(), e);
        }
      }
      Base b;
      Dockerfile.Stage ref = stageBefore(df, base, s.index());
      if (base.equalsIgnoreCase("scratch")) {
        b = new Base.Scratch();
      } else if (ref != null) {
        b = new Base.StageRef(ref.index());
      } else {
        b = new Base.ImageRef(base);
      }
      all.add(new PlannedStage(s, base, b, sp));
    }
    PlannedStage targetStage;
    if (target == null || target.isEmpty()) {
      targetStage = all.getLast();
    } else {
      Dockerfile.Stage t = df.stage(target.toLowerCase(Locale.ROOT));
      if (t == null || t.name() == null && !target.matches("\\d+")) {
        throw new InvalidArgumentException("failed to reach build target " + target + " in Dockerfile: target stage \""
            + target + "\" could not be found");
      }
      targetStage = all.get(t.index());
    }
    // The stages the target needs, through FROM and --from.
    Set<Integer> needed = new TreeSet<>();
    List<Integer> todo = new ArrayList<>(List.of(targetStage.stage().index()));
    while (!todo.isEmpty()) {
      int i = todo.removeLast();
      if (!needed.add(i)) {
        continue;
      }
      PlannedStage ps = all.get(i);
      if (ps.base() instanceof Base.StageRef(int index)) {
        todo.add(index);
      }
      for (Instruction in : ps.stage().instructions()) {
        for (String from : fromRefs(in)) {
          Dockerfile.Stage dep = stageBefore(df, expand(lex, df, in.line(), from, global), i);
          if (dep != null) {
            todo.add(dep.index());
          }
        }
      }
    }
    List<PlannedStage> ordered = new ArrayList<>();
    for (int i : needed) {
      ordered.add(all.get(i));
      for (Instruction in : all.get(i).stage().instructions()) {
        if (in instanceof Instruction.Arg a) {
          a.args().forEach(d -> declared.add(d.name()));
        }
      }
    }
    List<String> unused = buildArgs.keySet().stream()
        .filter(k -> !declared.contains(k) && !PROXY_ARGS.contains(k) && !k.equals("SOURCE_DATE_EPOCH")).sorted().toList();
    return new BuildPlan(df, global, ordered, targetStage, p, unused);
  }

  /** The {@code --from} references of an instruction: COPY --from and RUN --mount=from=. */
  static List<String> fromRefs(Instruction in) {
    List<String> refs = new ArrayList<>();
    if (in instanceof Instruction.Copy c && c.from() != null) {
      refs.add(c.from());
    }
    if (in instanceof Instruction.Run r) {
      r.mounts().forEach(m -> {
        if (m.options().containsKey("from")) {
          refs.add(m.options().get("from"));
        }
      });
    }
    if (in instanceof Instruction.OnBuild o) {
      refs.addAll(fromRefs(o.trigger()));
    }
    return refs;
  }

  /** The stage {@code name} refers to, if it is defined before stage {@code before}. */
  static Dockerfile.Stage stageBefore(Dockerfile df, String name, int before) {
    Dockerfile.Stage s = df.stage(name.toLowerCase(Locale.ROOT));
    return s != null && s.index() < before ? s : null;
  }

  private static String expand(ShellLex lex, Dockerfile df, int line, String word, Map<String, String> env) {
    try {
      return lex.processWord(word, env);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(df.name() + ":" + line + ": " + e.getMessage(), e);
    }
  }

  /** BuildKit's automatic platform args, in the global scope. */
  static Map<String, String> automaticArgs(Platform target) {
    Platform build = Platform.host();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("BUILDPLATFORM", build.toString());
    m.put("BUILDOS", build.os());
    m.put("BUILDARCH", build.architecture());
    m.put("BUILDVARIANT", build.variant() == null ? "" : build.variant());
    m.put("TARGETPLATFORM", target.toString());
    m.put("TARGETOS", target.os());
    m.put("TARGETARCH", target.architecture());
    m.put("TARGETVARIANT", target.variant() == null ? "" : target.variant());
    return m;
  }
}
