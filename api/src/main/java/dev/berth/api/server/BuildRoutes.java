package dev.berth.api.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ProgressMessage;
import dev.berth.build.BuildContext;
import dev.berth.build.BuildEvent;
import dev.berth.build.BuildRequest;
import dev.berth.build.BuildResult;
import dev.berth.engine.build.BuildService;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.oci.Json;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /build}: the classic builder's endpoint, which {@code docker build} uses when no
 * buildx plugin is installed ({@code DOCKER_BUILDKIT=0}). The body is the context tar (plain or
 * compressed); the answer streams the classic builder's lines: {@code Step 1/4 : FROM busybox},
 * {@code  ---> Using cache}, {@code  ---> 1a2b3c4d5e6f}, the RUN output, then
 * {@code {"aux":{"ID":"sha256:…"}}}, {@code Successfully built …} and {@code Successfully tagged …}.
 * A failure after the first line is an in-band {@code errorDetail} whose code is a failed RUN's
 * exit code, which the docker CLI exits with.
 */
final class BuildRoutes {
  private static final Pattern EXIT_CODE = Pattern.compile("returned a non-zero code: (\\d+)");
  private static final String OUTPUT_TAIL = "\n--- its output ended with:";

  private final BuildService builds;

  BuildRoutes(BuildService builds) {
    this.builds = builds;
  }

  void register(EngineApi.Routes r) {
    r.post("/build", this::build);
  }

  private void build(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    if (req.query("remote") != null && !req.query("remote").isEmpty()) {
      throw new InvalidArgumentException("building from a remote context (" + req.query("remote")
          + ") is not supported by berth: send the context in the request body");
    }
    if ("2".equals(req.query("version"))) {
      throw new InvalidArgumentException("BuildKit (version=2) is not supported by berth: use the classic builder"
          + " (DOCKER_BUILDKIT=0)");
    }
    List<Reference> tags = new ArrayList<>();
    for (String t : req.query().all("t")) {
      try {
        tags.add(Reference.parse(t));
      } catch (InvalidArgumentException e) {
        throw new InvalidArgumentException("invalid tag \"" + t + "\": " + e.getMessage(), e);
      }
    }
    Map<String, String> buildArgs = jsonMap(req.query("buildargs"), "buildargs");
    Map<String, String> labels = jsonMap(req.query("labels"), "labels");
    String platformText = req.query("platform");
    Platform platform = platformText == null || platformText.isEmpty() ? null : Platform.parse(platformText);
    boolean quiet = Responses.bool(req.query("q"));
    boolean noCache = Responses.bool(req.query("nocache"));
    String target = emptyToNull(req.query("target"));
    String dockerfile = emptyToNull(req.query("dockerfile"));

    var stream = new ProgressStream(res);
    boolean[] sent = {false};
    // With q, the lines are held back and sent only if the build fails, as Docker does.
    List<ProgressMessage> held = new ArrayList<>();
    java.util.function.Consumer<ProgressMessage> send = m -> {
      sent[0] = true;
      stream.send(m);
    };
    java.util.function.Consumer<String> out = text -> {
      ProgressMessage m = ProgressMessage.stream(text);
      if (quiet) {
        held.add(m);
      } else {
        send.accept(m);
      }
    };
    try (BuildContext ctx = builds.contextFromTar(req.body())) {
      BuildRequest request = new BuildRequest(ctx, dockerfile, null, tags, buildArgs, target, labels, noCache, platform,
          null);
      BuildResult result = builds.build(request, e -> {
        switch (e) {
          case BuildEvent.Step s -> out.accept("Step " + s.number() + "/" + s.total() + " : " + s.instruction() + "\n");
          case BuildEvent.UsingCache c -> out.accept(" ---> Using cache\n");
          case BuildEvent.StepDone d -> out.accept(" ---> " + d.state().hex().substring(0, 12) + "\n");
          case BuildEvent.Output o -> out.accept(o.line() + "\n");
          case BuildEvent.Warning w -> out.accept("[Warning] " + w.text() + "\n");
        }
      });
      send.accept(ProgressMessage.aux(JsonNodeFactory.instance.objectNode().put("ID", result.image().id().toString())));
      out.accept("Successfully built " + result.image().id().hex().substring(0, 12) + "\n");
      for (Reference t : tags) {
        out.accept("Successfully tagged " + t.familiar() + "\n");
      }
      if (quiet) {
        send.accept(ProgressMessage.stream(result.image().id() + "\n")); // all that -q prints
      }
    } catch (RuntimeException e) {
      if (!sent[0] && held.isEmpty()) {
        throw e; // nothing sent yet: an ordinary error response with the error's status
      }
      held.forEach(send);
      send.accept(error(e));
    }
  }

  /** Docker's in-band error; its code is a failed RUN's exit code, which the docker CLI exits with. */
  static ProgressMessage error(RuntimeException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int tail = message.indexOf(OUTPUT_TAIL);
    if (tail >= 0) {
      message = message.substring(0, tail); // the output was streamed already
    }
    Matcher m = EXIT_CODE.matcher(message);
    int code = m.find() ? Integer.parseInt(m.group(1)) : 1;
    return new ProgressMessage(null, null, null, null, null, null, 0, 0, new ProgressMessage.ErrorDetail(code, message),
        message, null);
  }

  private static Map<String, String> jsonMap(String text, String what) {
    if (text == null || text.isEmpty()) {
      return Map.of();
    }
    try {
      Map<String, String> m = Json.MAPPER.readValue(text.getBytes(StandardCharsets.UTF_8),
          new TypeReference<LinkedHashMap<String, String>>() {});
      return m == null ? Map.of() : m;
    } catch (java.io.IOException e) {
      throw new InvalidArgumentException("invalid " + what + " " + text + ": want a JSON object of strings", e);
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
