package dev.berth.runtime.spec;

import dev.berth.errors.InvalidArgumentException;
import java.util.Locale;

/**
 * Resource limits as Docker's flags give them: {@code --memory}, {@code --memory-swap} (memory plus
 * swap; -1 for unlimited swap), {@code --cpus} (as nano-CPUs), {@code --cpu-shares},
 * {@code --pids-limit}. Zero means "not set" for each, as in Docker's HostConfig.
 */
public record Limits(long memory, long memorySwap, long nanoCpus, long cpuShares, long pidsLimit) {
  public static final Limits NONE = new Limits(0, 0, 0, 0, 0);
  /** Docker's floor for {@code --memory}. */
  public static final long MIN_MEMORY = 6L * 1024 * 1024;
  public static final long CPU_PERIOD = 100_000;

  public Limits {
    if (memory < 0) {
      throw new InvalidArgumentException("memory limit " + memory + " is negative");
    }
    if (memory > 0 && memory < MIN_MEMORY) {
      throw new InvalidArgumentException("minimum memory limit allowed is 6MB, got " + memory + " bytes");
    }
    if (memorySwap != 0 && memorySwap != -1 && memory == 0) {
      throw new InvalidArgumentException("you should always set the memory limit when using the memory-swap limit");
    }
    if (memorySwap > 0 && memorySwap < memory) {
      throw new InvalidArgumentException("minimum memory-swap limit should be larger than the memory limit");
    }
    if (nanoCpus < 0 || cpuShares < 0) {
      throw new InvalidArgumentException("cpus and cpu-shares must not be negative");
    }
  }

  public Limits withMemory(long bytes) {
    return new Limits(bytes, memorySwap, nanoCpus, cpuShares, pidsLimit);
  }

  public Limits withMemorySwap(long bytes) {
    return new Limits(memory, bytes, nanoCpus, cpuShares, pidsLimit);
  }

  public Limits withNanoCpus(long n) {
    return new Limits(memory, memorySwap, n, cpuShares, pidsLimit);
  }

  public Limits withCpuShares(long s) {
    return new Limits(memory, memorySwap, nanoCpus, s, pidsLimit);
  }

  public Limits withPidsLimit(long p) {
    return new Limits(memory, memorySwap, nanoCpus, cpuShares, p);
  }

  /** Docker's RAMInBytes: {@code 512}, {@code 512k}, {@code 64m}, {@code 1.5g}, {@code 2GiB}; {@code flag} names it in errors. */
  public static long parseBytes(String flag, String value) {
    var m = java.util.regex.Pattern.compile("^(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(?:i?b)?$")
        .matcher(value.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidArgumentException("invalid " + flag + " \"" + value + "\": want a size like 512m or 2g");
    }
    double n = Double.parseDouble(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      case "p" -> 50;
      default -> 0;
    };
    return (long) (n * (1L << shift));
  }

  /** {@code --memory-swap}: a size, or -1 for unlimited swap. */
  public static long parseSwap(String value) {
    return value.strip().equals("-1") ? -1 : parseBytes("memory-swap", value);
  }

  /** {@code --cpus 1.5} as nano-CPUs. */
  public static long parseCpus(String value) {
    try {
      var d = new java.math.BigDecimal(value.strip());
      if (d.signum() < 0) {
        throw new NumberFormatException();
      }
      return d.movePointRight(9).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidArgumentException("invalid cpus \"" + value + "\": want a decimal number like 1.5");
    }
  }
}
