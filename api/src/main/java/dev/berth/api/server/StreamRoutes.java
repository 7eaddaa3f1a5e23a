package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.engine.container.Container;
import dev.berth.engine.container.ContainerFiles;
import dev.berth.engine.container.ContainerService;
import dev.berth.engine.container.ExecService;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.http.RawConnection;
import dev.berth.logs.LogQuery;
import dev.berth.logs.LogReader;
import dev.berth.logs.LogStream;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The container endpoints that move bytes: logs, attach (hijacked), and the archive endpoints
 * behind {@code docker cp}.
 *
 * <p>Output, for logs and attach alike, comes from the container's log file (conmon writes
 * every byte there first), so an attach made before the start (as {@code docker run} does)
 * misses nothing of a container that exits at once. Stdin goes through conmon's attach socket.
 */
final class StreamRoutes {
  private static final System.Logger LOG = System.getLogger("dev.berth.api");
  private final ContainerService containers;
  private final ContainerFiles files;

  StreamRoutes(ContainerService containers, ExecService execs) {
    this.containers = containers;
    this.files = new ContainerFiles(containers);
  }

  void register(EngineApi.Routes r) {
    r.get("/containers/{id}/logs", this::logs);
    r.post("/containers/{id}/attach", this::attach);
    r.get("/containers/{id}/archive", this::getArchive);
    r.head("/containers/{id}/archive", this::statArchive);
    r.put("/containers/{id}/archive", this::putArchive);
  }

  private void logs(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Container c = containers.get(req.pathParam("id"));
    boolean stdout = Responses.bool(req.query("stdout"));
    boolean stderr = Responses.bool(req.query("stderr"));
    if (!stdout && !stderr) {
      throw new InvalidArgumentException("Bad parameters: you must choose at least one stream");
    }
    var streams = EnumSet.noneOf(LogStream.class);
    if (stdout) {
      streams.add(LogStream.STDOUT);
    }
    if (stderr) {
      streams.add(LogStream.STDERR);
    }
    var q = LogQuery.all().streams(streams).since(time(req.query("since"))).until(time(req.query("until")))
        .tail(tail(req.query("tail")));
    boolean timestamps = Responses.bool(req.query("timestamps"));
    boolean tty = c.spec().tty();
    res.status(200).contentType(tty ? StdStreams.RAW : StdStreams.MULTIPLEXED);
    OutputStream out = res.stream();
    out.flush();
    var sinks = sinks(out, tty);
    var reader = LogReader.of(containers.logPath(c.id()));
    if (!reader.exists()) {
      return;
    }
    if (Responses.bool(req.query("follow")) && running(c.id())) {
      reader.follow(q, r -> sinks.get(r.stream()).write(r.render(timestamps)), () -> !running(c.id()));
    } else {
      reader.read(q, r -> sinks.get(r.stream()).write(r.render(timestamps)));
    }
  }

  private boolean running(String id) {
    return containers.find(id).map(x -> x.state().running()).orElse(false);
  }

  private static Map<LogStream, OutputStream> sinks(OutputStream out, boolean tty) {
    var m = new LinkedHashMap<LogStream, OutputStream>();
    m.put(LogStream.STDOUT, tty ? StdStreams.raw(out) : StdStreams.framed(out, 1));
    m.put(LogStream.STDERR, tty ? StdStreams.raw(out) : StdStreams.framed(out, 2));
    return m;
  }

  private static Instant time(String s) {
    if (s == null || s.isEmpty() || s.equals("0")) {
      return null;
    }
    return ContainerRoutes.until(s);
  }

  private static int tail(String s) {
    if (s == null || s.isEmpty() || s.equals("all")) {
      return -1;
    }
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * {@code POST /containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1}: hijacks the
   * connection; output from the container's next (or current) run is relayed until it exits, and
   * the client's bytes go to its stdin.
   */
  private void attach(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Container c = containers.get(req.pathParam("id"));
    boolean stream = Responses.bool(req.query("stream"));
    boolean logs = Responses.bool(req.query("logs"));
    boolean stdin = Responses.bool(req.query("stdin")) && c.spec().openStdin();
    var streams = EnumSet.noneOf(LogStream.class);
    if (Responses.bool(req.query("stdout"))) {
      streams.add(LogStream.STDOUT);
    }
    if (Responses.bool(req.query("stderr"))) {
      streams.add(LogStream.STDERR);
    }
    boolean tty = c.spec().tty();
    res.contentType(tty ? StdStreams.RAW : StdStreams.MULTIPLEXED);
    containers.events().publish("container", "attach", c.id(), ContainerService.attributes(c));
    try (AutoCloseable guard = containers.attach(c.id()); RawConnection conn = res.hijack()) {
      var sinks = sinks(conn.output(), tty);
      Instant before = c.state().startedAt();
      if (logs && !streams.isEmpty() && LogReader.of(containers.logPath(c.id())).exists()) {
        LogReader.of(containers.logPath(c.id())).read(LogQuery.all().streams(streams),
            r -> sinks.get(r.stream()).write(r.render(false)));
      }
      if (!stream) {
        return;
      }
      // docker run attaches before it starts the container: wait for that start.
      Container run = awaitRun(c.id(), before);
      if (run == null) {
        return;
      }
      Thread input = null;
      if (stdin) {
        OutputStream to = containers.runtime().openStdin(run, containers.stateDir(run.id()));
        InputStream from = conn.input();
        input = Thread.ofVirtual().name("stdin-" + run.shortId()).start(() -> pump(run, from, to));
      }
      if (!streams.isEmpty()) {
        var q = LogQuery.all().streams(streams).since(run.state().startedAt());
        LogReader.of(containers.logPath(run.id())).follow(q, r -> sinks.get(r.stream()).write(r.render(false)),
            () -> !sameRunStillRunning(run));
      } else {
        containers.await(run.id(), ContainerService.WaitCondition.NOT_RUNNING).get();
      }
      if (input != null) {
        // The run is over: the pump stops waiting for its output to end and detaches. (A client that
        // leaves early instead ends the pump's input: the container gets the end of its stdin.)
        input.interrupt();
      }
      conn.closeOutput();
    }
  }

  /** Client to container stdin; closing {@code to} ends the input and waits for the run to end. */
  private static void pump(Container run, InputStream from, OutputStream to) {
    byte[] buf = new byte[8192];
    try (to) {
      for (int n; (n = from.read(buf)) > 0; ) {
        to.write(buf, 0, n);
        to.flush();
      }
    } catch (IOException e) {
      // The container or the client went away; the end of input still goes to the container.
      LOG.log(System.Logger.Level.INFO, "stdin of container " + run.shortId() + " ended early: " + e.getMessage());
    }
  }

  /** The container once a run started after {@code before} (or the current one); null if removed first. */
  private Container awaitRun(String id, Instant before) throws InterruptedException {
    while (true) {
      Container now = containers.find(id).orElse(null);
      if (now == null) {
        return null;
      }
      Instant started = now.state().startedAt();
      if (now.state().running() || (started != null && !started.equals(before))) {
        return now;
      }
      Thread.sleep(10);
    }
  }

  private boolean sameRunStillRunning(Container run) {
    return containers.find(run.id())
        .map(x -> x.state().running() && java.util.Objects.equals(x.state().startedAt(), run.state().startedAt()))
        .orElse(false);
  }

  private void statArchive(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    var stat = files.stat(req.pathParam("id"), path(req));
    res.header("X-Docker-Container-Path-Stat", statHeader(stat)).status(200);
  }

  private void getArchive(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    String id = req.pathParam("id");
    var stat = files.stat(id, path(req));
    res.header("X-Docker-Container-Path-Stat", statHeader(stat)).contentType("application/x-tar").status(200);
    try (var body = new LazyBody(res)) {
      files.copyOut(id, path(req), body);
    }
  }

  private void putArchive(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    files.copyIn(req.pathParam("id"), path(req), req.body());
    res.status(200);
  }

  private static String path(HttpRequest req) {
    String p = req.query("path");
    if (p == null || p.isEmpty()) {
      throw new InvalidArgumentException("bad parameter: path cannot be empty");
    }
    return p;
  }

  private static String statHeader(ContainerFiles.Stat s) {
    var m = new LinkedHashMap<String, Object>();
    m.put("name", s.name());
    m.put("size", s.size());
    m.put("mode", s.mode());
    m.put("mtime", dev.berth.api.model.ImageViews.rfc3339Nano(s.mtime()));
    m.put("linkTarget", s.linkTarget());
    return Base64.getEncoder().encodeToString(Json.write(m));
  }
}
