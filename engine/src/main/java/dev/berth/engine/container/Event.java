package dev.berth.engine.container;

import java.time.Instant;
import java.util.Map;

/**
 * One event of Docker's {@code /events} stream.
 *
 * @param type {@code container}, {@code volume}, {@code image}
 * @param action {@code create}, {@code start}, {@code die}, {@code kill}, {@code destroy}, ...
 * @param actorId the container ID, volume name or image ID
 * @param attributes the actor's labels plus {@code name}, {@code image}, {@code exitCode}, {@code signal}...
 */
public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {
  public Event {
    attributes = Map.copyOf(attributes);
  }
}
