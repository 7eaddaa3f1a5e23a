package dev.berth.engine.container;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * The event log: what happened to containers and volumes, kept in memory (the last {@value
 * #KEPT}, for {@code since}) and handed to every subscriber as it happens. Publishing never
 * blocks: a subscriber that does not keep up loses its subscription, as Docker's does.
 */
public final class Events {
  static final int KEPT = 1024;
  private static final int SUBSCRIBER_QUEUE = 4096;

  private final ArrayDeque<Event> recent = new ArrayDeque<>();
  private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

  public void publish(String type, String action, String actorId, java.util.Map<String, String> attributes) {
    var e = new Event(type, action, actorId, attributes, Instant.now());
    synchronized (recent) {
      recent.addLast(e);
      if (recent.size() > KEPT) {
        recent.removeFirst();
      }
      for (Subscription s : subscribers) {
        if (s.filter.test(e) && !s.queue.offer(e)) {
          subscribers.remove(s);
          s.queue.clear();
          s.overflowed = true;
        }
      }
    }
  }

  /**
   * Subscribes to events {@code filter} accepts: those since {@code since} already logged (null: none),
   * then every new one. Close the subscription to stop.
   */
  public Subscription subscribe(Instant since, Predicate<Event> filter) {
    var s = new Subscription(filter);
    synchronized (recent) {
      if (since != null) {
        for (Event e : recent) {
          if (!e.time().isBefore(since) && filter.test(e)) {
            s.queue.offer(e);
          }
        }
      }
      subscribers.add(s);
    }
    return s;
  }

  /** The logged events between {@code since} and {@code until} that {@code filter} accepts. */
  public List<Event> between(Instant since, Instant until, Predicate<Event> filter) {
    synchronized (recent) {
      List<Event> out = new ArrayList<>();
      for (Event e : recent) {
        if ((since == null || !e.time().isBefore(since)) && (until == null || !e.time().isAfter(until)) && filter.test(e)) {
          out.add(e);
        }
      }
      return out;
    }
  }

  public final class Subscription implements AutoCloseable {
    private final Predicate<Event> filter;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(SUBSCRIBER_QUEUE);
    private volatile boolean overflowed;

    private Subscription(Predicate<Event> filter) {
      this.filter = filter;
    }

    /** The next event, waiting up to {@code millis}; null on timeout. */
    public Event next(long millis) throws InterruptedException {
      if (overflowed) {
        throw new IllegalStateException("event subscriber fell behind and was dropped");
      }
      return queue.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      subscribers.remove(this);
    }
  }
}
