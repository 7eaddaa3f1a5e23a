package dev.berth.distribution;

/** Receives progress of a pull or push; called from several threads at once (one per layer). */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = e -> {};

  void on(ProgressEvent event);
}
