package dev.berth.build;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.archive.Compression;
import dev.berth.archive.SafeExtractor;
import dev.berth.content.BlobInfo;
import dev.berth.content.ContentStore;
import dev.berth.errors.BerthException;
import dev.berth.errors.FailedPreconditionException;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.errors.NotFoundException;
import dev.berth.errors.UnavailableException;
import dev.berth.image.Image;
import dev.berth.image.ImageStore;
import dev.berth.oci.ContainerConfig;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import dev.berth.oci.Json;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds images from Dockerfiles, one step per instruction, with a layer cache.
 *
 * <p>Metadata instructions (ENV, LABEL, CMD, ...) change the image config and add a history entry
 * marked {@code empty_layer}; COPY and ADD (and WORKDIR when it creates its directory) make a layer
 * here; RUN goes through the {@link RunStepExecutor} the engine provides (without one, a
 * Dockerfile with RUN is refused before anything happens). History entries are written in
 * BuildKit's style: {@code created_by} is the instruction after expansion ({@code CMD ["sh"]},
 * {@code ENV A=b}, {@code COPY a /b # buildkit}, {@code RUN /bin/sh -c make # buildkit}) with the
 * comment {@code buildkit.dockerfile.v0}; not the classic builder's {@code /bin/sh -c #(nop) }.
 *
 * <pre>{@code
 * Builder builder = new Builder(store, BuildCache.at(root.resolve("build-cache")), root.resolve("tmp"), null);
 * try (BuildContext ctx = BuildContext.fromDirectory(dir)) {
 *   BuildResult r = builder.build(BuildRequest.of(ctx, Reference.parse("app:1")), System.out::println);
 * }
 * }</pre>
 *
 * <p>The image is stored and tagged only when every step succeeded; a failed build leaves layers
 * in the content store (collected by the next garbage collection) and no name.
 */
public final class Builder {
  static final String HISTORY_COMMENT = "buildkit.dockerfile.v0";
  static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final ImageStore store;
  private final ContentStore content;
  private final BuildCache cache;
  private final Path scratch;
  private final RunStepExecutor runs;
  private final HttpClient http;

  /**
   * @param scratch a directory for unpacked stages and downloads (a private subdirectory per
   *     build, removed afterwards)
   * @param runs runs RUN steps; null when no container runtime is wired (RUN is then refused)
   */
  public Builder(ImageStore store, BuildCache cache, Path scratch, RunStepExecutor runs) {
    this.store = store;
    this.content = store.content();
    this.cache = cache;
    this.scratch = scratch;
    this.runs = runs;
    this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(30)).build();
  }

  /** Parses the request's Dockerfile and plans the build, without side effects. */
  public BuildPlan plan(BuildRequest req) {
    String name = req.dockerfile() == null || req.dockerfile().isEmpty() ? "Dockerfile" : req.dockerfile();
    String text = req.dockerfileText() != null ? req.dockerfileText() : req.context().readDockerfile(req.dockerfile());
    Dockerfile df = Dockerfile.parse(name, text);
    BuildPlan plan = BuildPlan.of(df, req.buildArgs(), req.target(), req.platform());
    if (runs == null) {
      for (BuildPlan.PlannedStage s : plan.stages()) {
        for (Instruction in : s.stage().instructions()) {
          if (in instanceof Instruction.Run || in instanceof Instruction.OnBuild o && o.trigger() instanceof Instruction.Run) {
            throw new FailedPreconditionException(df.name() + ":" + in.line()
                + ": RUN needs a container runtime, and this builder has none wired");
          }
        }
      }
    }
    return plan;
  }

  public BuildResult build(BuildRequest req, BuildProgress progress) {
    BuildPlan plan = plan(req);
    Path dir;
    try {
      Files.createDirectories(scratch);
      dir = Files.createTempDirectory(scratch, "build-");
    } catch (IOException e) {
      throw new UncheckedIOException("creating a build directory under " + scratch + ": " + e.getMessage(), e);
    }
    try (Run run = new Run(req, plan, progress, dir)) {
      return run.execute();
    } finally {
      BuildContext.deleteTree(dir);
    }
  }

  /** The mutable state of one stage while it builds. */
  private static final class StageState {
    ImageConfig config;
    List<Descriptor> layers = new ArrayList<>();
    Digest key;
    final Map<String, String> args = new LinkedHashMap<>(); // ARGs in scope, in declaration order
    boolean cmdSet;
    Rootfs rootfs;
  }

  /** One build. */
  private final class Run implements AutoCloseable {
    private final BuildRequest req;
    private final BuildPlan plan;
    private final BuildProgress progress;
    private final Path dir;
    private final Dockerfile df;
    private final ShellLex lex;
    private final Instant now;
    private final Instant clamp;
    private final String created;
    private final Map<Integer, StageState> done = new HashMap<>();
    private final Map<String, Rootfs> images = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final int total;
    private int stepNumber;
    private int cached;
    private int rootfsCount;

    Run(BuildRequest req, BuildPlan plan, BuildProgress progress, Path dir) {
      this.req = req;
      this.plan = plan;
      this.progress = progress;
      this.dir = dir;
      this.df = plan.dockerfile();
      this.lex = new ShellLex(df.escapeToken());
      Long epoch = req.sourceDateEpoch();
      String epochArg = req.buildArgs().get("SOURCE_DATE_EPOCH");
      if (epoch == null && epochArg != null && epochArg.matches("\\d+")) {
        epoch = Long.parseLong(epochArg);
      }
      this.clamp = epoch == null ? null : Instant.ofEpochSecond(epoch);
      this.now = clamp != null ? clamp : Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      this.created = DateTimeFormatter.ISO_INSTANT.format(now.atZone(ZoneOffset.UTC));
      this.total = plan.stages().stream().mapToInt(s -> s.stage().instructions().size() + 1).sum();
    }

    BuildResult execute() {
      df.warnings().forEach(this::warn);
      if (!plan.unusedBuildArgs().isEmpty()) {
        warn("One or more build-args " + plan.unusedBuildArgs() + " were not consumed");
      }
      StageState last = null;
      for (BuildPlan.PlannedStage s : plan.stages()) {
        last = buildStage(s);
        done.put(s.stage().index(), last);
      }
      StageState result = last;
      ContainerConfig cc = result.config.configOrEmpty();
      if (!req.labels().isEmpty()) {
        Map<String, String> labels = new TreeMap<>(cc.labels() == null ? Map.of() : cc.labels());
        labels.putAll(req.labels());
        cc = with(cc, "Labels", labels);
      }
      ImageConfig c = result.config;
      // The last step's time, not now: a rebuild served wholly from the cache gives the same image ID.
      String stamp = c.history() == null || c.history().isEmpty() || c.history().getLast().created() == null ? created
          : c.history().getLast().created();
      ImageConfig fin = new ImageConfig(c.architecture(), c.author(), c.comment(), cc, null, null, stamp, null,
          c.history(), c.os(), c.osVersion(), c.rootfs(), c.variant());
      Image image = store.withoutCollection(() -> {
        BlobInfo cfg = content.write(fin.toJson());
        Manifest m = Manifest.of(MediaType.OCI_MANIFEST, Descriptor.of(MediaType.OCI_CONFIG, cfg.digest(), cfg.size()),
            result.layers);
        BlobInfo man = content.write(m.toJson());
        Descriptor target = Descriptor.of(MediaType.OCI_MANIFEST, man.digest(), man.size());
        return store.add(List.of(new ImageStore.Addition(target, req.tags()))).getFirst();
      });
      return new BuildResult(image, warnings, stepNumber, cached);
    }

    private void warn(String text) {
      warnings.add(text);
      progress.on(new BuildEvent.Warning(text));
    }

    private String stageName(BuildPlan.PlannedStage s) {
      return s.stage().displayName();
    }

    private StageState buildStage(BuildPlan.PlannedStage s) {
      StageState st = new StageState();
      Instruction.From from = s.stage().from();
      progress.on(new BuildEvent.Step(++stepNumber, total, stageName(s), from.original()));
      Digest baseId;
      switch (s.base()) {
        case BuildPlan.Base.Scratch() -> {
          st.config = new ImageConfig(s.platform().architecture(), null, null,
              ContainerConfig.of(List.of(DEFAULT_PATH), null), null, null, created, null, List.of(), s.platform().os(), null,
              new ImageConfig.RootFs("layers", List.of()), s.platform().variant());
          st.key = StepKey.ofScratch(s.platform().toString());
          baseId = st.key;
        }
        case BuildPlan.Base.StageRef(int index) -> {
          StageState base = done.get(index);
          st.config = base.config;
          st.layers = new ArrayList<>(base.layers);
          st.key = base.key;
          baseId = base.key;
        }
        case BuildPlan.Base.ImageRef(String ref) -> {
          Image image = resolveImage(ref, from.line());
          st.config = image.config();
          st.layers = new ArrayList<>(image.manifest().layers());
          st.key = StepKey.ofImage(image.target().digest());
          baseId = image.id();
        }
      }
      if (clamp != null && !(s.base() instanceof BuildPlan.Base.StageRef)) {
        // Steps cached by a build with real times (or another epoch) must not be reused.
        st.key = StepKey.of(st.key, "SOURCE_DATE_EPOCH=" + clamp.getEpochSecond(), null);
      }
      progress.on(new BuildEvent.StepDone(stepNumber, "base " + s.baseName(), baseId));
      st.rootfs = new Rootfs(content, dir.resolve("rootfs-" + (rootfsCount++)));
      // ONBUILD triggers of the base run first, then are dropped from the new image.
      List<String> triggers = st.config.configOrEmpty().onBuild();
      if (triggers != null && !triggers.isEmpty()) {
        st.config = st.config.withConfig(with(st.config.configOrEmpty(), "OnBuild", null));
        for (String t : triggers) {
          Instruction in = Dockerfile.parseInstruction(df.name() + ":" + from.line() + " (ONBUILD trigger of "
              + s.baseName() + ")", t, df.escapeToken());
          step(s, st, in, false);
        }
      }
      for (Instruction in : s.stage().instructions()) {
        progress.on(new BuildEvent.Step(++stepNumber, total, stageName(s), in.original()));
        step(s, st, in, true);
      }
      return st;
    }

    private Image resolveImage(String ref, int line) {
      return store.find(ref).orElseThrow(() -> new NotFoundException(df.name() + ":" + line + ": base image " + ref
          + " is not in the image store (berth build does not pull yet: pull or load it first)"));
    }

    /** Runs one instruction against the stage state, from the cache when its key is known. */
    private void step(BuildPlan.PlannedStage s, StageState st, Instruction in, boolean numbered) {
      try {
        dispatch(s, st, in);
      } catch (BerthException e) {
        String where = df.name() + ":" + in.line() + ": ";
        throw e.getMessage().startsWith(where) || e.getMessage().startsWith(df.name() + ":") ? e
            : e.during(df.name() + ":" + in.line() + ": " + in.keyword());
      } catch (IOException e) {
        throw new UncheckedIOException(df.name() + ":" + in.line() + ": " + in.keyword() + ": " + e.getMessage(), e);
      }
    }

    /** The environment variables are expanded with: ARGs in scope, overridden by the image's Env. */
    private Map<String, String> env(StageState st) {
      Map<String, String> env = new LinkedHashMap<>(st.args);
      List<String> e = st.config.configOrEmpty().env();
      if (e != null) {
        for (String kv : e) {
          int eq = kv.indexOf('=');
          env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
      }
      return env;
    }

    private String x(StageState st, String word) {
      return word == null ? null : lex.processWord(word, env(st));
    }

    /** A metadata-only step: new container config, history entry with empty_layer. */
    private void meta(StageState st, String createdBy, ContainerConfig cc, String author) {
      Digest key = StepKey.of(st.key, createdBy, null);
      if (restore(st, key)) {
        return;
      }
      ImageConfig c = st.config;
      ImageConfig next = new ImageConfig(c.architecture(), author, c.comment(), cc, c.container(), c.containerConfig(),
          c.created(), c.dockerVersion(), history(c, createdBy, true), c.os(), c.osVersion(), c.rootfs(), c.variant());
      commit(st, key, next, st.layers, "no layer");
    }

    private List<ImageConfig.History> history(ImageConfig c, String createdBy, boolean empty) {
      List<ImageConfig.History> h = new ArrayList<>(c.history() == null ? List.of() : c.history());
      h.add(new ImageConfig.History(created, createdBy, null, HISTORY_COMMENT, empty));
      return h;
    }

    private boolean restore(StageState st, Digest key) {
      if (req.noCache()) {
        return false;
      }
      Optional<BuildCache.Entry> hit = cache.find(key, content);
      if (hit.isEmpty()) {
        return false;
      }
      st.config = hit.get().config();
      st.layers = new ArrayList<>(hit.get().layers());
      st.key = key;
      cached++;
      progress.on(new BuildEvent.UsingCache(stepNumber));
      progress.on(new BuildEvent.StepDone(stepNumber, "cached", key));
      return true;
    }

    private void commit(StageState st, Digest key, ImageConfig config, List<Descriptor> layers, String summary) {
      st.config = config;
      st.layers = new ArrayList<>(layers);
      st.key = key;
      cache.put(key, new BuildCache.Entry(config, layers));
      progress.on(new BuildEvent.StepDone(stepNumber, summary, key));
    }

    /** A step that made a layer: append it with its history entry. */
    private void layer(StageState st, Digest key, String createdBy, Digest diffId, Descriptor layer) {
      ImageConfig next = st.config.withLayer(diffId, new ImageConfig.History(created, createdBy, null, HISTORY_COMMENT, false));
      List<Descriptor> layers = new ArrayList<>(st.layers);
      layers.add(layer);
      commit(st, key, next, layers, "layer " + diffId);
    }

    private void dispatch(BuildPlan.PlannedStage s, StageState st, Instruction in) throws IOException {
      ContainerConfig cc = st.config.configOrEmpty();
      switch (in) {
        case Instruction.From f -> throw new IllegalStateException("FROM inside a stage");
        case Instruction.Env e -> {
          List<String> env = new ArrayList<>(cc.env() == null ? List.of() : cc.env());
          StringBuilder msg = new StringBuilder("ENV");
          for (Instruction.KeyValue kv : e.pairs()) {
            // Both sides see the variables as they were before this instruction.
            String k = x(st, kv.key());
            String v = x(st, kv.value());
            msg.append(' ').append(k).append('=').append(v);
            addEnv(env, k, v);
          }
          meta(st, msg.toString(), with(cc, "Env", env), st.config.author());
        }
        case Instruction.Label l -> {
          Map<String, String> labels = new TreeMap<>(cc.labels() == null ? Map.of() : cc.labels());
          StringBuilder msg = new StringBuilder("LABEL");
          for (Instruction.KeyValue kv : l.pairs()) {
            String k = x(st, kv.key());
            String v = x(st, kv.value());
            labels.put(k, v);
            msg.append(' ').append(k).append('=').append(v);
          }
          meta(st, msg.toString(), with(cc, "Labels", labels), st.config.author());
        }
        case Instruction.Maintainer m -> meta(st, "MAINTAINER " + m.name(), cc, m.name());
        case Instruction.Arg a -> {
          List<String> parts = new ArrayList<>();
          for (Instruction.ArgDef d : a.args()) {
            String name = x(st, d.name());
            String v;
            if (req.buildArgs().containsKey(name)) {
              v = req.buildArgs().get(name);
            } else if (d.defaultValue() != null) {
              v = x(st, d.defaultValue());
            } else {
              v = plan.globalArgs().get(name);
            }
            if (v != null) {
              st.args.put(name, v);
            } else {
              st.args.remove(name);
            }
            parts.add(v == null ? name : name + "=" + v);
          }
          meta(st, "ARG " + String.join(" ", parts), cc, st.config.author());
        }
        case Instruction.Cmd c -> {
          List<String> args = command(cc, c.command());
          st.cmdSet = true;
          meta(st, "CMD " + GoFormat.quotedList(args), with(with(cc, "Cmd", args), "ArgsEscaped", true), st.config.author());
        }
        case Instruction.Entrypoint e -> {
          List<String> args = e.command().args().isEmpty() || (e.command().shellForm() && e.command().args().getFirst().isEmpty())
              ? null : command(cc, e.command());
          ContainerConfig next = with(cc, "Entrypoint", args);
          if (!st.cmdSet) {
            next = with(next, "Cmd", null);
          }
          meta(st, "ENTRYPOINT " + GoFormat.quotedList(args == null ? List.of() : args), next, st.config.author());
        }
        case Instruction.User u -> {
          String user = x(st, u.user());
          meta(st, "USER " + user, with(cc, "User", user), st.config.author());
        }
        case Instruction.Volume v -> {
          Map<String, Object> vols = new TreeMap<>(cc.volumes() == null ? Map.of() : cc.volumes());
          List<String> paths = new ArrayList<>();
          for (String p : v.paths()) {
            String e = x(st, p);
            if (e.isEmpty()) {
              throw new InvalidArgumentException("VOLUME specified can not be an empty string");
            }
            paths.add(e);
            vols.put(e, Map.of());
          }
          meta(st, "VOLUME " + GoFormat.list(paths), with(cc, "Volumes", vols), st.config.author());
        }
        case Instruction.StopSignal ss -> {
          String sig = x(st, ss.signal());
          Signals.check(sig);
          meta(st, "STOPSIGNAL " + sig, with(cc, "StopSignal", sig), st.config.author());
        }
        case Instruction.Shell sh -> meta(st, "SHELL " + GoFormat.list(sh.shell()), with(cc, "Shell", sh.shell()),
            st.config.author());
        case Instruction.Expose ex -> {
          List<String> ports = new ArrayList<>();
          for (String p : ex.ports()) {
            for (String w : lex.processWords(p, env(st))) {
              ports.addAll(Ports.parse(w));
            }
          }
          Map<String, Object> exposed = new TreeMap<>(cc.exposedPorts() == null ? Map.of() : cc.exposedPorts());
          ports.forEach(p -> exposed.put(p, Map.of()));
          meta(st, "EXPOSE " + GoFormat.list(ports), with(cc, "ExposedPorts", exposed), st.config.author());
        }
        case Instruction.Healthcheck h -> {
          Instruction.Health hc = h.health();
          ObjectNode node = JsonNodeFactory.instance.objectNode();
          var test = node.putArray("Test");
          hc.test().forEach(test::add);
          if (!hc.interval().isZero()) {
            node.put("Interval", hc.interval().toNanos());
          }
          if (!hc.timeout().isZero()) {
            node.put("Timeout", hc.timeout().toNanos());
          }
          if (!hc.startPeriod().isZero()) {
            node.put("StartPeriod", hc.startPeriod().toNanos());
          }
          if (!hc.startInterval().isZero()) {
            node.put("StartInterval", hc.startInterval().toNanos());
          }
          if (hc.retries() != 0) {
            node.put("Retries", hc.retries());
          }
          String msg = "HEALTHCHECK {Test:" + GoFormat.list(hc.test()) + " Interval:" + GoDurations.format(hc.interval())
              + " Timeout:" + GoDurations.format(hc.timeout()) + " StartPeriod:" + GoDurations.format(hc.startPeriod())
              + " StartInterval:" + GoDurations.format(hc.startInterval()) + " Retries:" + hc.retries() + "}";
          meta(st, msg, with(cc, "Healthcheck", node), st.config.author());
        }
        case Instruction.OnBuild o -> {
          List<String> triggers = new ArrayList<>(cc.onBuild() == null ? List.of() : cc.onBuild());
          triggers.add(o.expression());
          // BuildKit writes no history entry for ONBUILD; the cache key still covers it.
          Digest key = StepKey.of(st.key, "ONBUILD " + o.expression(), null);
          if (!restore(st, key)) {
            commit(st, key, st.config.withConfig(with(cc, "OnBuild", triggers)), st.layers, "no layer");
          }
        }
        case Instruction.Workdir w -> workdir(st, w);
        case Instruction.Copy c -> copy(s, st, c);
        case Instruction.Add a -> add(st, a);
        case Instruction.Run r -> run(s, st, r);
      }
    }

    /** Shell form runs through SHELL (default /bin/sh -c); exec form as written. */
    private List<String> command(ContainerConfig cc, Instruction.CommandLine c) {
      if (c.json()) {
        return c.args();
      }
      List<String> out = new ArrayList<>(shell(cc));
      out.addAll(c.args());
      return out;
    }

    private List<String> shell(ContainerConfig cc) {
      return cc.shell() == null || cc.shell().isEmpty() ? List.of("/bin/sh", "-c") : cc.shell();
    }

    private void workdir(StageState st, Instruction.Workdir w) throws IOException {
      ContainerConfig cc = st.config.configOrEmpty();
      String path = x(st, w.path());
      String base = cc.workingDir() == null || cc.workingDir().isEmpty() ? "/" : cc.workingDir();
      String wd = DockerIgnore.clean(path.startsWith("/") ? path : base + "/" + path);
      ContainerConfig next = with(cc, "WorkingDir", wd);
      String createdBy = "WORKDIR " + wd;
      Digest key = StepKey.of(st.key, createdBy, null);
      if (restore(st, key)) {
        return;
      }
      ImageConfig withWd = st.config.withConfig(next);
      if (!wd.equals("/")) {
        Path root = st.rootfs.at(st.layers);
        String resolved = new SourceTree(root, DockerIgnore.NONE, "the image").resolveInRoot(wd.substring(1), true);
        if (!Files.isDirectory(root.resolve(resolved))) {
          Users.Owner owner = cc.user() == null || cc.user().isEmpty() ? null : ownerOrRoot(cc.user(), root);
          CopyLayer layer = new CopyLayer(root, new CopyLayer.Options(owner, null, false, now, clamp));
          Path empty = Files.createDirectories(dir.resolve("empty-" + stepNumber));
          layer.place(new SourceTree.Match(wd, "", new SourceTree.Item("", empty, SourceTree.Kind.DIRECTORY, 0755,
              0, 0, 0, now, null), List.of()), layer.destination(wd + "/", true), false);
          CopyLayer.LayerBlob blob = layer.write(content);
          st.config = withWd;
          layer(st, key, createdBy, blob.diffId(), blob.descriptor());
          return;
        }
      }
      ImageConfig c = withWd;
      commit(st, key, new ImageConfig(c.architecture(), c.author(), c.comment(), c.config(), c.container(),
          c.containerConfig(), c.created(), c.dockerVersion(), history(c, createdBy, true), c.os(), c.osVersion(),
          c.rootfs(), c.variant()), st.layers, "no layer");
    }

    private Users.Owner ownerOrRoot(String user, Path root) {
      try {
        return Users.parse(user, root);
      } catch (InvalidArgumentException e) {
        return null;
      }
    }

    /** The destination of COPY/ADD: absolute, or relative to WORKDIR; a trailing slash kept. */
    private String destination(StageState st, String dest) {
      String d = x(st, dest);
      String wd = st.config.configOrEmpty().workingDir();
      String base = wd == null || wd.isEmpty() ? "/" : wd;
      boolean slash = d.endsWith("/") || d.equals(".") || d.isEmpty() || d.endsWith("/.");
      String abs = DockerIgnore.clean(d.startsWith("/") ? d : base + "/" + d);
      return slash && !abs.equals("/") ? abs + "/" : abs;
    }

    private Integer chmod(String spec) {
      if (spec == null || spec.isEmpty()) {
        return null;
      }
      try {
        int mode = Integer.parseInt(spec, 8);
        if (mode >= 0 && mode <= 07777) {
          return mode;
        }
      } catch (NumberFormatException e) {
        // falls through to the error
      }
      throw new InvalidArgumentException("invalid chmod parameter: '" + spec + "'. it should be octal string and between 0 and 07777");
    }

    /** The tree a COPY reads from: the context, or the root filesystem of a stage or image. */
    private SourceTree sourceTree(StageState st, String from, int line) {
      if (from == null) {
        return req.context().tree();
      }
      String ref = x(st, from);
      int current = stageIndexOf(st);
      Dockerfile.Stage dep = BuildPlan.stageBefore(df, ref, current);
      if (dep != null) {
        StageState other = done.get(dep.index());
        return new SourceTree(other.rootfs.at(other.layers), DockerIgnore.NONE, "stage " + dep.displayName());
      }
      if (df.stage(ref.toLowerCase(Locale.ROOT)) != null) {
        throw new InvalidArgumentException("--from=" + ref + " refers to a stage that is not built before this one");
      }
      Rootfs r = images.computeIfAbsent(ref, k -> {
        Image image = resolveImage(k, line);
        Rootfs fs = new Rootfs(content, dir.resolve("rootfs-" + (rootfsCount++)));
        fs.at(image.manifest().layers());
        return fs;
      });
      Image image = resolveImage(ref, line);
      return new SourceTree(r.at(image.manifest().layers()), DockerIgnore.NONE, "image " + ref);
    }

    private int stageIndexOf(StageState st) {
      for (BuildPlan.PlannedStage p : plan.stages()) {
        if (!done.containsKey(p.stage().index())) {
          return p.stage().index();
        }
      }
      return Integer.MAX_VALUE;
    }

    private void copy(BuildPlan.PlannedStage s, StageState st, Instruction.Copy c) throws IOException {
      if (c.parents()) {
        throw new InvalidArgumentException("--parents is not supported by berth yet");
      }
      SourceTree tree = sourceTree(st, c.from(), c.line());
      DockerIgnore excludes = DockerIgnore.of(c.excludes().stream().map(e -> x(st, e)).toList());
      if (!excludes.isEmpty()) {
        tree = new SourceTree(tree.root(), combined(c.from() == null ? req.context().ignore() : DockerIgnore.NONE, c.excludes(), st), tree.what());
      }
      copyOrAdd(st, "COPY", tree, c.from() != null, c.sources(), c.chown(), c.chmod(),
          "--from=" + (c.from() == null ? "" : x(st, c.from())) + " --link=" + c.link() + " --exclude=" + c.excludes(),
          false, null);
    }

    private DockerIgnore combined(DockerIgnore base, List<String> excludes, StageState st) {
      // .dockerignore rules first, then the instruction's own exclusions.
      List<String> all = new ArrayList<>();
      if (base != DockerIgnore.NONE && req.context().root().resolve(".dockerignore").toFile().isFile()) {
        try {
          all.addAll(Files.readAllLines(req.context().root().resolve(".dockerignore")).stream()
              .filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      excludes.forEach(e -> all.add(x(st, e)));
      return DockerIgnore.of(all);
    }

    private void add(StageState st, Instruction.Add a) throws IOException {
      SourceTree tree = req.context().tree();
      if (!a.excludes().isEmpty()) {
        tree = new SourceTree(tree.root(), combined(req.context().ignore(), a.excludes(), st), tree.what());
      }
      copyOrAdd(st, "ADD", tree, false, a.sources(), a.chown(), a.chmod(),
          "--checksum=" + (a.checksum() == null ? "" : x(st, a.checksum())) + " --unpack=" + a.unpack() + " --link="
              + a.link() + " --exclude=" + a.excludes(), true, a);
    }

    private void copyOrAdd(StageState st, String keyword, SourceTree tree, boolean keepOwners, Instruction.Sources srcs,
        String chownSpec, String chmodSpec, String extraKey, boolean isAdd, Instruction.Add add) throws IOException {
      String chown = x(st, chownSpec);
      Integer chmod = chmod(x(st, chmodSpec));
      String dest = destination(st, srcs.dest());
      List<String> paths = srcs.paths().stream().map(p -> x(st, p)).toList();
      int sourceCount = paths.size() + srcs.inline().size();
      if (sourceCount > 1 && !dest.endsWith("/")) {
        throw new InvalidArgumentException("When using " + keyword + " with more than one source file, the destination "
            + "must be a directory and end with a /");
      }
      // Resolve sources and hash what they hold, before looking at the cache.
      List<SourceTree.Match> matches = new ArrayList<>();
      List<Path> downloads = new ArrayList<>();
      List<String> remoteNames = new ArrayList<>();
      StringBuilder digest = new StringBuilder();
      for (String p : paths) {
        if (p.startsWith("http://") || p.startsWith("https://")) {
          if (!isAdd) {
            throw new InvalidArgumentException("source can't be a URL for COPY");
          }
          if (isGit(p)) {
            throw new InvalidArgumentException("ADD of a git repository (" + p + ") is not supported by berth yet");
          }
          Path file = download(p, add.checksum() == null ? null : x(st, add.checksum()));
          downloads.add(file);
          remoteNames.add(urlName(p));
          digest.append("url ").append(p).append(' ').append(SourceTree.fileDigest(file)).append('\n');
          continue;
        }
        List<SourceTree.Match> m = tree.resolve(p);
        matches.addAll(m);
        digest.append("src ").append(p).append(' ').append(SourceTree.digest(m)).append('\n');
      }
      List<String> inline = new ArrayList<>();
      for (Instruction.Heredoc h : srcs.inline()) {
        String body = h.expand() ? x(st, h.body()) : h.body();
        inline.add(body);
        digest.append("heredoc ").append(h.name()).append(' ').append(body.length()).append(':').append(body).append('\n');
      }
      StringBuilder createdBy = new StringBuilder(keyword);
      if (chown != null && !chown.isEmpty()) {
        createdBy.append(" --chown=").append(chown);
      }
      if (chmodSpec != null && !chmodSpec.isEmpty()) {
        createdBy.append(" --chmod=").append(x(st, chmodSpec));
      }
      paths.forEach(p -> createdBy.append(' ').append(p));
      srcs.inline().forEach(h -> createdBy.append(" <<").append(h.name()));
      createdBy.append(' ').append(srcs.dest()).append(" # buildkit");
      Digest key = StepKey.of(st.key, createdBy + "\n" + extraKey + "\ndest=" + dest, digest.toString());
      if (restore(st, key)) {
        return;
      }
      Path root = st.rootfs.at(st.layers);
      Users.Owner owner = chown == null || chown.isEmpty() ? null : Users.parse(chown, root);
      CopyLayer layer = new CopyLayer(root, new CopyLayer.Options(owner, chmod, keepOwners, now, clamp));
      int matchCount = matches.size() + downloads.size() + inline.size();
      CopyLayer.Destination destination = layer.destination(dest, matchCount > 1);
      int n = 0;
      for (SourceTree.Match m : matches) {
        Path archive = isAdd && !m.directory() && m.top().kind() == SourceTree.Kind.FILE && !Boolean.FALSE.equals(add.unpack())
            ? unpackIfArchive(m.top().path()) : null;
        if (archive != null) {
          SourceTree unpacked = new SourceTree(archive, DockerIgnore.NONE, "archive " + m.treePath());
          layer.place(unpacked.resolve("").getFirst(), layer.destination(dest.endsWith("/") ? dest : dest + "/", true), true);
        } else {
          layer.place(m, destination, keepOwners);
        }
      }
      for (int i = 0; i < downloads.size(); i++) {
        String target = destination.directory() ? join(destination.path(), remoteNames.get(i)) : destination.path();
        layer.placeFile(target, downloads.get(i), 0600);
      }
      for (int i = 0; i < inline.size(); i++) {
        Path f = dir.resolve("heredoc-" + stepNumber + "-" + (n++));
        Files.writeString(f, inline.get(i));
        Files.setLastModifiedTime(f, FileTime.from(now));
        String name = srcs.inline().get(i).name();
        String target = destination.directory() ? join(destination.path(), name) : destination.path();
        layer.placeFile(target, f, 0644);
      }
      CopyLayer.LayerBlob blob = layer.write(content);
      layer(st, key, createdBy.toString(), blob.diffId(), blob.descriptor());
    }

    private static String join(String a, String b) {
      return a.isEmpty() ? b : a + "/" + b;
    }

    private boolean isGit(String url) {
      return url.endsWith(".git") || url.contains(".git#");
    }

    private String urlName(String url) {
      String path = URI.create(url).getPath();
      if (path == null || path.isEmpty() || path.endsWith("/")) {
        return "__unnamed__";
      }
      return path.substring(path.lastIndexOf('/') + 1);
    }

    private Path download(String url, String checksum) throws IOException {
      Path file = dir.resolve("download-" + stepNumber + "-" + Math.abs(url.hashCode()));
      HttpResponse<Path> resp;
      try {
        resp = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
            HttpResponse.BodyHandlers.ofFile(file));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UnavailableException("downloading " + url + ": interrupted", e);
      } catch (IOException e) {
        throw new UnavailableException("downloading " + url + ": " + e.getMessage(), e);
      }
      if (resp.statusCode() / 100 != 2) {
        throw new UnavailableException("downloading " + url + ": HTTP " + resp.statusCode());
      }
      Instant mtime = resp.headers().firstValue("Last-Modified").map(v -> {
        try {
          return java.time.ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (RuntimeException e) {
          return null;
        }
      }).orElse(Instant.EPOCH);
      Files.setLastModifiedTime(file, FileTime.from(mtime));
      if (checksum != null && !checksum.isEmpty()) {
        Digest want = Digest.parse(checksum);
        String got = SourceTree.fileDigest(file);
        if (!want.hex().equals(got) || !want.algorithm().id().equals("sha256")) {
          throw new InvalidArgumentException("checksum mismatch for " + url + ": want " + want + ", got sha256:" + got);
        }
      }
      return file;
    }

    /** Unpacks a local tar (plain, gzip, zstd, bzip2) into a new directory; null if it is no archive. */
    private Path unpackIfArchive(Path file) throws IOException {
      byte[] head;
      try (InputStream in = Files.newInputStream(file)) {
        head = in.readNBytes(3);
      }
      boolean bzip2 = head.length == 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h';
      try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
          InputStream in = bzip2 ? new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(raw)
              : Compression.decompressed(raw)) {
        BufferedInputStream tar = new BufferedInputStream(in);
        tar.mark(512);
        byte[] header = tar.readNBytes(512);
        tar.reset();
        if (header.length < 512 || !isTarHeader(header)) {
          return null;
        }
        Path out = Files.createDirectories(dir.resolve("unpacked-" + stepNumber + "-" + Math.abs(file.hashCode())));
        SafeExtractor.into(out, SafeExtractor.Options.defaults()).extract(tar);
        return out;
      } catch (InvalidArgumentException e) {
        return null; // not an archive after all (compressed garbage): copied as a file, as Docker does
      }
    }

    private static boolean isTarHeader(byte[] h) {
      if (new String(h, 257, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("ustar")) {
        return true;
      }
      // Old-style tar: the header checksum must match.
      String stored = new String(h, 148, 8, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\0", "").strip();
      if (!stored.matches("[0-7]+")) {
        return false;
      }
      long sum = 0;
      for (int i = 0; i < 512; i++) {
        sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
      }
      return sum == Long.parseLong(stored, 8);
    }

    private void run(BuildPlan.PlannedStage s, StageState st, Instruction.Run r) {
      ContainerConfig cc = st.config.configOrEmpty();
      Instruction.CommandLine c = r.command();
      List<String> argv;
      if (c.json()) {
        argv = c.args();
      } else {
        String line = c.args().isEmpty() ? "" : c.args().getFirst();
        if (!c.heredocs().isEmpty()) {
          Instruction.Heredoc simple = new DockerfileParser(df.name()).heredoc(line.strip(), r.line());
          if (c.heredocs().size() == 1 && simple != null) {
            Instruction.Heredoc h = c.heredocs().getFirst();
            line = h.body(); // the shell expands it, as in BuildKit
          } else {
            StringBuilder b = new StringBuilder(line);
            for (Instruction.Heredoc h : c.heredocs()) {
              b.append('\n').append(h.content()).append(h.name());
            }
            line = b.toString();
          }
        }
        argv = new ArrayList<>(shell(cc));
        argv.add(line);
      }
      // Build args in scope reach the command's environment (and its history line), unless ENV overrides them.
      Map<String, String> env = new LinkedHashMap<>();
      for (String kv : cc.env() == null ? List.<String>of() : cc.env()) {
        int eq = kv.indexOf('=');
        env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      List<String> argPrefix = new ArrayList<>();
      for (Map.Entry<String, String> a : st.args.entrySet()) {
        String v = env.getOrDefault(a.getKey(), a.getValue());
        argPrefix.add(a.getKey() + "=" + v);
      }
      List<String> processEnv = new ArrayList<>();
      env.forEach((k, v) -> processEnv.add(k + "=" + v));
      st.args.forEach((k, v) -> {
        if (!env.containsKey(k)) {
          processEnv.add(k + "=" + v);
        }
      });
      req.buildArgs().forEach((k, v) -> {
        if (BuildPlan.PROXY_ARGS.contains(k) && v != null && !env.containsKey(k)) {
          processEnv.add(k + "=" + v);
        }
      });
      String createdBy = "RUN " + (argPrefix.isEmpty() ? "" : "|" + argPrefix.size() + " " + String.join(" ", argPrefix) + " ")
          + String.join(" ", argv) + " # buildkit";
      Digest key = StepKey.of(st.key, createdBy + "\nmounts=" + r.mounts() + "\nnetwork=" + r.network()
          + "\nsecurity=" + r.security() + "\nuser=" + cc.user() + "\nworkdir=" + cc.workingDir(), null);
      if (restore(st, key)) {
        return;
      }
      String wd = cc.workingDir() == null || cc.workingDir().isEmpty() ? "/" : cc.workingDir();
      int number = stepNumber;
      Optional<RunStepExecutor.Layer> out = runs.run(new RunStepExecutor.RunStep(s.stage().displayName(), r.line(),
          st.layers, st.config, argv, processEnv, cc.user() == null ? "" : cc.user(), wd, r.network(), r.mounts(),
          c.heredocs(), l -> progress.on(new BuildEvent.Output(number, l)), clamp));
      if (out.isPresent()) {
        layer(st, key, createdBy, out.get().diffId(), out.get().descriptor());
      } else {
        ImageConfig conf = st.config;
        commit(st, key, new ImageConfig(conf.architecture(), conf.author(), conf.comment(), conf.config(), conf.container(),
            conf.containerConfig(), conf.created(), conf.dockerVersion(), history(conf, createdBy, true), conf.os(),
            conf.osVersion(), conf.rootfs(), conf.variant()), st.layers, "no changes");
      }
    }

    @Override
    public void close() {
      for (StageState s : done.values()) {
        if (s.rootfs != null) {
          s.rootfs.close();
        }
      }
      images.values().forEach(Rootfs::close);
    }
  }

  /** Sets the env var {@code k} in place, or appends it: BuildKit's addEnv. */
  static void addEnv(List<String> env, String k, String v) {
    for (int i = 0; i < env.size(); i++) {
      String e = env.get(i);
      int eq = e.indexOf('=');
      if ((eq < 0 ? e : e.substring(0, eq)).equals(k)) {
        env.set(i, k + "=" + v);
        return;
      }
    }
    env.add(k + "=" + v);
  }

  /** {@code c} with one field replaced, through its JSON form (as ConfigChanges does). */
  static ContainerConfig with(ContainerConfig c, String field, Object value) {
    ObjectNode node = Json.MAPPER.valueToTree(c);
    if (value == null) {
      node.remove(field);
    } else {
      node.set(field, Json.MAPPER.valueToTree(value));
    }
    return Json.MAPPER.convertValue(node, ContainerConfig.class);
  }
}
