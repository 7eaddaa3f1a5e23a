package dev.berth.build;

/** What a build reports as it goes; {@link BuildProgress} receives them in order. */
public sealed interface BuildEvent {
  /** Step {@code number} of {@code total} starts: {@code instruction} as written (continuations joined). */
  record Step(int number, int total, String stage, String instruction) implements BuildEvent {}

  /** The step's result came from the cache. */
  record UsingCache(int number) implements BuildEvent {}

  /**
   * The step finished (ran, or came from the cache); {@code summary} is a short note ("layer
   * sha256:…", "no layer", "cached"); {@code state} names the state it left: the base image's ID
   * after FROM, the step's cache key after any other step (what the classic builder's
   * {@code ---> 1a2b3c4d5e6f} lines show).
   */
  record StepDone(int number, String summary, dev.berth.oci.Digest state) implements BuildEvent {}

  /** A line of a RUN step's output. */
  record Output(int number, String line) implements BuildEvent {}

  /** A warning: deprecated syntax, unused build args, ignored directives. */
  record Warning(String text) implements BuildEvent {}
}
