package dev.berth.runtime;

import java.util.List;

/** Which runtime containers get by default and why, and how every known runtime fared here. */
public record RuntimeInfo(String defaultRuntime, String reason, List<RuntimeProbe.Outcome> runtimes) {
  public RuntimeInfo {
    runtimes = List.copyOf(runtimes);
  }
}
