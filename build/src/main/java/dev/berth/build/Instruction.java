package dev.berth.build;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Dockerfile instruction, as parsed: words split and flags read, nothing expanded yet.
 * Variables are substituted when the builder dispatches the instruction, because their values
 * (ARG, ENV, the base image's Env) are only known then.
 *
 * <p>Every instruction knows the line it starts on and its text as written (continuation lines
 * joined, comments inside them dropped), for error messages and the build's progress.
 */
public sealed interface Instruction {
  /** The 1-based line the instruction starts on. */
  int line();

  /** The instruction as written, continuation lines joined; heredoc bodies not included. */
  String original();

  /** The upper-case keyword, e.g. {@code "COPY"}. */
  default String keyword() {
    return switch (this) {
      case From f -> "FROM";
      case Run r -> "RUN";
      case Cmd c -> "CMD";
      case Entrypoint e -> "ENTRYPOINT";
      case Env e -> "ENV";
      case Arg a -> "ARG";
      case Label l -> "LABEL";
      case Expose e -> "EXPOSE";
      case Copy c -> "COPY";
      case Add a -> "ADD";
      case Workdir w -> "WORKDIR";
      case User u -> "USER";
      case Volume v -> "VOLUME";
      case StopSignal s -> "STOPSIGNAL";
      case Healthcheck h -> "HEALTHCHECK";
      case Shell s -> "SHELL";
      case OnBuild o -> "ONBUILD";
      case Maintainer m -> "MAINTAINER";
    };
  }

  /** {@code FROM [--platform=P] image [AS name]}; {@code stageName} is lower-cased, null when absent. */
  record From(int line, String original, String image, String stageName, String platform) implements Instruction {}

  /**
   * {@code RUN}: shell or exec form, heredocs, and the {@code --mount}, {@code --network} and
   * {@code --security} flags as written (validated for shape here; what is supported is the
   * executor's business).
   */
  record Run(int line, String original, CommandLine command, List<RunMount> mounts, String network, String security)
      implements Instruction {
    public Run {
      mounts = List.copyOf(mounts);
    }
  }

  record Cmd(int line, String original, CommandLine command) implements Instruction {}

  /** {@code ENTRYPOINT}; an empty shell form clears the entrypoint. */
  record Entrypoint(int line, String original, CommandLine command) implements Instruction {}

  /** {@code ENV k=v ...} or the legacy {@code ENV k v} (one pair, {@link KeyValue#legacy()}). */
  record Env(int line, String original, List<KeyValue> pairs) implements Instruction {
    public Env {
      pairs = List.copyOf(pairs);
    }
  }

  record Arg(int line, String original, List<ArgDef> args) implements Instruction {
    public Arg {
      args = List.copyOf(args);
    }
  }

  record Label(int line, String original, List<KeyValue> pairs) implements Instruction {
    public Label {
      pairs = List.copyOf(pairs);
    }
  }

  /** {@code EXPOSE 80 443/tcp 53/udp 8000-8010}, sorted as BuildKit sorts them, not yet expanded. */
  record Expose(int line, String original, List<String> ports) implements Instruction {
    public Expose {
      ports = List.copyOf(ports);
    }
  }

  /** {@code COPY [--from=] [--chown=] [--chmod=] [--link] [--parents] [--exclude=] src... dest}. */
  record Copy(int line, String original, Sources sources, String from, String chown, String chmod, boolean link,
      boolean parents, List<String> excludes) implements Instruction {
    public Copy {
      excludes = List.copyOf(excludes);
    }
  }

  /** {@code ADD [--chown=] [--chmod=] [--checksum=] [--link] [--unpack] [--exclude=] src... dest}. */
  record Add(int line, String original, Sources sources, String chown, String chmod, String checksum, boolean link,
      Boolean unpack, List<String> excludes) implements Instruction {
    public Add {
      excludes = List.copyOf(excludes);
    }
  }

  record Workdir(int line, String original, String path) implements Instruction {}

  record User(int line, String original, String user) implements Instruction {}

  record Volume(int line, String original, List<String> paths) implements Instruction {
    public Volume {
      paths = List.copyOf(paths);
    }
  }

  record StopSignal(int line, String original, String signal) implements Instruction {}

  /** {@code HEALTHCHECK NONE} (test {@code ["NONE"]}) or {@code HEALTHCHECK [flags] CMD ...}. */
  record Healthcheck(int line, String original, Health health) implements Instruction {}

  /** {@code SHELL ["executable", "params"]}: JSON form only. */
  record Shell(int line, String original, List<String> shell) implements Instruction {
    public Shell {
      shell = List.copyOf(shell);
    }
  }

  /**
   * {@code ONBUILD INSTRUCTION ...}: {@code expression} is stored in the image's OnBuild list;
   * {@code trigger} is the same instruction parsed (ONBUILD, FROM and MAINTAINER are refused).
   */
  record OnBuild(int line, String original, String expression, Instruction trigger) implements Instruction {}

  /** {@code MAINTAINER name} (deprecated): sets the image's author. */
  record Maintainer(int line, String original, String name) implements Instruction {}

  // ---- values the instructions carry ----

  /**
   * A command line: exec form ({@code json}: the array as given) or shell form (one element, the
   * text after the keyword, to be run by the SHELL), with the heredocs the line introduced.
   */
  record CommandLine(List<String> args, boolean json, List<Heredoc> heredocs) {
    public CommandLine {
      args = List.copyOf(args);
      heredocs = List.copyOf(heredocs);
    }

    public boolean shellForm() {
      return !json;
    }
  }

  /**
   * A heredoc: {@code <<NAME}, {@code <<-NAME} ({@code chomp}: leading tabs removed from every
   * line), {@code <<"NAME"} or {@code <<'NAME'} ({@code expand} false: no variable substitution in
   * the body). {@code content} is the body with its line endings, the terminator excluded.
   */
  record Heredoc(String name, String content, boolean expand, boolean chomp, int fileDescriptor) {
    /** The body as the instruction uses it: leading tabs removed when chomped. */
    public String body() {
      return chomp ? content.replaceAll("(?m)^\t+", "") : content;
    }
  }

  /** COPY/ADD sources: context paths (or URLs), inline heredoc files, and the destination. */
  record Sources(List<String> paths, List<Heredoc> inline, String dest) {
    public Sources {
      paths = List.copyOf(paths);
      inline = List.copyOf(inline);
    }
  }

  /** {@code key=value}; {@code legacy} for the old whitespace-separated {@code ENV key value}. */
  record KeyValue(String key, String value, boolean legacy) {}

  /** {@code ARG name[=default]}; {@code defaultValue} null when there is none. */
  record ArgDef(String name, String defaultValue) {}

  /** One {@code RUN --mount=type=...,target=...,...}; {@code options} are the other fields as written. */
  record RunMount(String type, String target, Map<String, String> options) {
    public RunMount {
      options = java.util.Collections.unmodifiableMap(new TreeMap<>(options));
    }
  }

  /**
   * A health check as the image config's {@code Healthcheck} holds it: {@code test} is
   * {@code ["NONE"]}, {@code ["CMD", args...]} or {@code ["CMD-SHELL", command]}; zero durations
   * mean "inherit the default".
   */
  record Health(List<String> test, Duration interval, Duration timeout, Duration startPeriod, Duration startInterval,
      int retries) {
    public Health {
      test = List.copyOf(test);
    }
  }
}
