package dev.berth.api.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ExecConfig;
import dev.berth.engine.container.ExecService;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.http.RawConnection;
import dev.berth.oci.Json;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** {@code docker exec}: create a session, start it over a hijacked connection, inspect its exit code. */
final class ExecRoutes {
  private final ExecService execs;

  ExecRoutes(ExecService execs) {
    this.execs = execs;
  }

  void register(EngineApi.Routes r) {
    r.post("/containers/{id}/exec", this::create);
    r.post("/exec/{id}/start", this::start);
    r.post("/exec/{id}/resize", this::resize);
    r.get("/exec/{id}/json", this::inspect);
  }

  private void create(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    byte[] body = req.body().readNBytes(1 << 20);
    ExecConfig c = Json.read(body, ExecConfig.class, "exec config", 1 << 20);
    var e = execs.create(req.pathParam("id"), c.cmd(), c.env(), c.user(), c.workingDir(), c.tty(), c.privileged(),
        c.attachStdin(), c.attachStdout(), c.attachStderr());
    Responses.json(res, 201, Map.of("Id", e.id()));
  }

  record StartRequest(@JsonProperty("Detach") boolean detach, @JsonProperty("Tty") boolean tty) {}

  private void start(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    byte[] body = req.body().readNBytes(1 << 20);
    var sr = body.length == 0 ? new StartRequest(false, false) : Json.read(body, StartRequest.class, "exec start", 1 << 20);
    String id = req.pathParam("id");
    ExecService.Exec e = execs.get(id);
    if (sr.detach()) {
      Thread.ofVirtual().start(() -> {
        try {
          execs.start(id, null, OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
        } catch (Exception ignored) {
          // recorded in the session's exit code
        }
      });
      res.status(200);
      return;
    }
    boolean tty = e.tty();
    res.contentType(tty ? StdStreams.RAW : StdStreams.MULTIPLEXED);
    try (RawConnection conn = res.hijack()) {
      OutputStream out = conn.output();
      OutputStream stdout = tty ? StdStreams.raw(out) : StdStreams.framed(out, 1);
      OutputStream stderr = tty ? stdout : StdStreams.framed(out, 2);
      try {
        execs.start(id, e.attachStdin() ? conn.input() : null, stdout, stderr);
      } catch (RuntimeException failed) {
        stderr.write((failed.getMessage() + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      conn.closeOutput();
    }
  }

  private void resize(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    execs.resize(req.pathParam("id"), Responses.intQuery(req, "h"), Responses.intQuery(req, "w"));
    res.status(200);
  }

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record ExecInspect(
      @JsonProperty("CanRemove") boolean canRemove,
      @JsonProperty("ContainerID") String containerId,
      @JsonProperty("DetachKeys") String detachKeys,
      @JsonProperty("ExitCode") Integer exitCode,
      @JsonProperty("ID") String id,
      @JsonProperty("OpenStderr") boolean openStderr,
      @JsonProperty("OpenStdin") boolean openStdin,
      @JsonProperty("OpenStdout") boolean openStdout,
      @JsonProperty("ProcessConfig") ProcessConfig processConfig,
      @JsonProperty("Running") boolean running,
      @JsonProperty("Pid") int pid) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record ProcessConfig(@JsonProperty("arguments") List<String> arguments, @JsonProperty("entrypoint") String entrypoint,
      @JsonProperty("privileged") boolean privileged, @JsonProperty("tty") boolean tty, @JsonProperty("user") String user) {}

  private void inspect(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    ExecService.Exec e = execs.get(req.pathParam("id"));
    var pc = new ProcessConfig(e.cmd().subList(1, e.cmd().size()), e.cmd().getFirst(), e.privileged(), e.tty(),
        e.user() == null ? "" : e.user());
    Responses.json(res, new ExecInspect(false, e.containerId(), "", e.exitCode(), e.id(), e.attachStderr(), e.attachStdin(),
        e.attachStdout(), pc, e.running(), 0));
  }
}
