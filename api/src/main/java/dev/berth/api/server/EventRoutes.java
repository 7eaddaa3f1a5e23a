package dev.berth.api.server;

import dev.berth.api.model.ApiVersion;
import dev.berth.api.model.ContainerViews;
import dev.berth.engine.container.Event;
import dev.berth.engine.container.Events;
import dev.berth.http.HttpRequest;
import dev.berth.http.HttpResponse;
import dev.berth.oci.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code GET /events}: a stream of JSON messages, one per line, the past ones first when {@code
 * since} is given, until {@code until} or until the client hangs up.
 */
final class EventRoutes {
  static final Set<String> FILTERS = Set.of("container", "event", "image", "label", "type", "volume", "daemon", "network",
      "plugin", "scope", "node", "service", "secret", "config");

  private final Events events;

  EventRoutes(Events events) {
    this.events = events;
  }

  void register(EngineApi.Routes r) {
    r.get("/events", this::stream);
  }

  private void stream(ApiVersion v, HttpRequest req, HttpResponse res) throws Exception {
    Filters f = Filters.parse(req.query("filters")).accept(FILTERS);
    Instant since = time(req.query("since"));
    Instant until = time(req.query("until"));
    Predicate<Event> accept = e -> accepts(f, e);
    res.status(200).contentType("application/json");
    OutputStream out = res.stream();
    out.flush();
    if (until != null && !until.isAfter(Instant.now())) {
      for (Event e : events.between(since, until, accept)) {
        write(out, e);
      }
      return;
    }
    try (var sub = events.subscribe(since, accept)) {
      while (true) {
        Event e = sub.next(1000);
        if (until != null && Instant.now().isAfter(until)) {
          return;
        }
        if (e == null) {
          continue;
        }
        if (until != null && e.time().isAfter(until)) {
          return;
        }
        write(out, e);
      }
    }
  }

  private static void write(OutputStream out, Event e) throws IOException {
    out.write(Json.write(ContainerViews.event(e)));
    out.write('\n');
    out.flush();
  }

  private static boolean accepts(Filters f, Event e) {
    if (f.has("type") && !f.get("type").contains(e.type())) {
      return false;
    }
    if (f.has("event") && !f.get("event").contains(e.action())) {
      return false;
    }
    if (f.has("container") && (!e.type().equals("container") || f.get("container").stream()
        .noneMatch(c -> e.actorId().startsWith(c) || c.equals(e.attributes().get("name"))))) {
      return false;
    }
    if (f.has("volume") && (!e.type().equals("volume") || !f.get("volume").contains(e.actorId()))) {
      return false;
    }
    if (f.has("image") && !f.get("image").contains(e.attributes().getOrDefault("image", ""))) {
      return false;
    }
    return f.matchLabels("label", e.attributes());
  }

  /** Docker's {@code since}/{@code until}: Unix seconds with optional fraction, RFC 3339, or a duration before now. */
  private static Instant time(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    return ContainerRoutes.until(s);
  }
}
