package dev.berth.build;

import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageConfig;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The seam through which the builder runs RUN steps; the engine implements it with its container
 * path (snapshot of the parent layers, an OCI runtime, the diff as a layer). The builder has
 * already decided everything a step means: the argv (shell form and heredocs resolved), the
 * environment (the image's Env plus the build args in scope), user, working directory, network
 * and mounts as written; the executor only runs it.
 *
 * <p>Contract: {@link #run} starts a container whose root filesystem is the parent layers applied
 * in order, runs {@code argv} to completion, and returns the layer holding the container's
 * changes (an uncompressed tar already committed to the content store, whiteouts for deletions),
 * or empty when nothing changed. A non-zero exit throws a {@code FailedPreconditionException}
 * whose message gives the command, its exit code and the tail of its output; nothing of the step
 * may be left behind then. Output lines go to {@link RunStep#output} as they come.
 */
@FunctionalInterface
public interface RunStepExecutor {

  Optional<Layer> run(RunStep step);

  /** A layer the executor committed: its descriptor and its diff_id (equal for uncompressed layers). */
  record Layer(Descriptor descriptor, Digest diffId) {}

  /**
   * One RUN step.
   *
   * @param parentLayers the image's layers so far, bottom first
   * @param parentConfig the image config so far (Env, User, WorkingDir, Shell as the step sees them)
   * @param argv what to execute: the exec form as written, or SHELL + the command line
   * @param env the process environment, {@code KEY=value}
   * @param user {@code user[:group]} as the image config says, "" for root
   * @param workdir the absolute working directory (created if missing)
   * @param network {@code default}, {@code none} or {@code host}; null means default
   * @param mounts {@code --mount} values as parsed (an executor refuses kinds it does not support)
   * @param heredocs the heredocs of the instruction (already part of argv; given for executors
   *     that want to pass them as files)
   * @param output receives the step's output, line by line
   * @param mtimeNotAfter SOURCE_DATE_EPOCH when the build is reproducible: the layer's entries
   *     get their mtime clamped to at most this (older times kept); null keeps the real times
   */
  record RunStep(String stage, int line, List<Descriptor> parentLayers, ImageConfig parentConfig, List<String> argv,
      List<String> env, String user, String workdir, String network, List<Instruction.RunMount> mounts,
      List<Instruction.Heredoc> heredocs, Consumer<String> output, Instant mtimeNotAfter) {
    public RunStep {
      parentLayers = List.copyOf(parentLayers);
      argv = List.copyOf(argv);
      env = List.copyOf(env);
      mounts = List.copyOf(mounts);
      heredocs = List.copyOf(heredocs);
    }
  }
}
