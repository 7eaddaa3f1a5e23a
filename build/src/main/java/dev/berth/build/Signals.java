package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.List;
import java.util.Locale;

/** STOPSIGNAL values: a Linux signal name (with or without SIG) or number, as moby's signal.ParseSignal takes them. */
final class Signals {
  private Signals() {}

  static final List<String> NAMES = List.of("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT",
      "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP",
      "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ");

  static void check(String signal) {
    if (signal.matches("\\d+")) {
      long n = Long.parseLong(signal.length() > 9 ? "999999999" : signal);
      if (n == 0 || n > 64) {
        throw new InvalidArgumentException("Invalid signal: " + signal);
      }
      return;
    }
    String s = signal.toUpperCase(Locale.ROOT);
    if (s.startsWith("SIG")) {
      s = s.substring(3);
    }
    if (NAMES.contains(s) || s.matches("RTMIN(\\+\\d+)?|RTMAX(-\\d+)?")) {
      return;
    }
    throw new InvalidArgumentException("Invalid signal: " + signal);
  }
}
