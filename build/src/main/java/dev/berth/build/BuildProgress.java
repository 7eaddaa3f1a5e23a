package dev.berth.build;

/** Receives a build's events; called on the building thread, in order. */
@FunctionalInterface
public interface BuildProgress {
  BuildProgress NONE = e -> {};

  void on(BuildEvent event);
}
