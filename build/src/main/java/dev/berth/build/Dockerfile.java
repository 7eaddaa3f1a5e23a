package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.List;

/**
 * A parsed Dockerfile: its parser directives, the ARGs before the first FROM (the global scope,
 * usable in FROM lines), and its stages.
 *
 * <pre>{@code
 * Dockerfile df = Dockerfile.parse("Dockerfile", Files.readString(path));
 * for (Dockerfile.Stage s : df.stages()) { ... s.from().image() ... s.instructions() ... }
 * }</pre>
 *
 * <p>Errors are {@link InvalidArgumentException}s naming the file and the line, e.g.
 * {@code Dockerfile:7: unknown instruction: RUNN (did you mean RUN?)}.
 *
 * @param name the file name used in messages ("Dockerfile", "build/Dockerfile.dev")
 * @param escapeToken {@code \} or {@code `}, from the {@code # escape=} directive
 * @param syntax the {@code # syntax=} directive's value, or null; it is recorded, not followed
 *     (berth has one frontend)
 * @param globalArgs the ARG instructions before the first FROM
 * @param warnings what BuildKit would warn about (empty continuation lines, the {@code check}
 *     directive being ignored, MAINTAINER being deprecated)
 */
public record Dockerfile(String name, char escapeToken, String syntax, List<Instruction.Arg> globalArgs,
    List<Stage> stages, List<String> warnings) {

  public Dockerfile {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    warnings = List.copyOf(warnings);
  }

  /** One build stage: its FROM and the instructions up to the next FROM. */
  public record Stage(int index, Instruction.From from, List<Instruction> instructions) {
    public Stage {
      instructions = List.copyOf(instructions);
    }

    /** The stage's {@code AS} name, or null. */
    public String name() {
      return from.stageName();
    }

    /** The name when it has one, else its index: how {@code COPY --from} and messages refer to it. */
    public String displayName() {
      return name() != null ? name() : String.valueOf(index);
    }
  }

  /** Parses {@code text}; {@code name} is how errors name the file. */
  public static Dockerfile parse(String name, String text) {
    return new DockerfileParser(name).parse(text);
  }

  /**
   * Parses one instruction on its own, e.g. an ONBUILD trigger of a base image or a
   * {@code --change} value; {@code what} names it in errors.
   */
  public static Instruction parseInstruction(String what, String text, char escapeToken) {
    return new DockerfileParser(what).parseOne(text, escapeToken);
  }

  /** The stage named {@code nameOrIndex} (an AS name, case-insensitive, or an index), or null. */
  public Stage stage(String nameOrIndex) {
    for (Stage s : stages) {
      if (s.name() != null && s.name().equalsIgnoreCase(nameOrIndex)) {
        return s;
      }
    }
    if (nameOrIndex.matches("\\d{1,9}")) {
      int i = Integer.parseInt(nameOrIndex);
      return i < stages.size() ? stages.get(i) : null;
    }
    return null;
  }
}
