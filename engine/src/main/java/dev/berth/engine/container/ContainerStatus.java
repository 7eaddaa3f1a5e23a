package dev.berth.engine.container;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A container's lifecycle, as Docker's {@code State.Status}: created → running ⇄ paused, running
 * → restarting → running, running/paused → exited, any → removing, and dead when removal failed.
 * Each verb asks {@link #canBecome} before any side effect.
 *
 * <pre>
 *  created ──start──▶ running ──pause──▶ paused
 *     │                │  ▲ ◀──unpause──┘  │
 *     │           exit │  │ restart policy │ kill
 *     │                ▼  │                ▼
 *     └──rm──▶ removing ◀─ exited ◀─────────┘      (dead: removal failed half-way)
 * </pre>
 */
public enum ContainerStatus {
  CREATED,
  RUNNING,
  PAUSED,
  RESTARTING,
  REMOVING,
  EXITED,
  DEAD;

  /** Docker's word for it: {@code created}, {@code running}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ContainerStatus parse(String s) {
    for (ContainerStatus c : values()) {
      if (c.wire().equals(s)) {
        return c;
      }
    }
    throw new dev.berth.errors.InvalidArgumentException("invalid container status \"" + s
        + "\": want one of created, restarting, running, removing, paused, exited, dead");
  }

  /** Whether a task (process) exists for the container. */
  public boolean hasTask() {
    return this == RUNNING || this == PAUSED;
  }

  /** The transitions allowed from this state. */
  public Set<ContainerStatus> next() {
    return switch (this) {
      case CREATED -> EnumSet.of(RUNNING, EXITED, REMOVING, DEAD);
      case RUNNING -> EnumSet.of(PAUSED, EXITED, RESTARTING, REMOVING, DEAD);
      case PAUSED -> EnumSet.of(RUNNING, EXITED, REMOVING, DEAD);
      case RESTARTING -> EnumSet.of(RUNNING, EXITED, REMOVING, DEAD);
      case EXITED -> EnumSet.of(RUNNING, RESTARTING, REMOVING, DEAD);
      case REMOVING -> EnumSet.of(DEAD, EXITED, CREATED);
      case DEAD -> EnumSet.of(REMOVING);
    };
  }

  public boolean canBecome(ContainerStatus to) {
    return next().contains(to);
  }
}
