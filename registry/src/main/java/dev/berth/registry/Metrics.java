package dev.berth.registry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters and gauges rendered in the Prometheus text format (version 0.0.4) at {@code /metrics}. */
public final class Metrics {
  private record Family(String type, String help) {}

  private final Map<String, Family> families = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();

  public Metrics counter(String name, String help) {
    families.put(name, new Family("counter", help));
    return this;
  }

  public Metrics gauge(String name, String help, LongSupplier value) {
    families.put(name, new Family("gauge", help));
    gauges.put(name, value);
    return this;
  }

  /** Adds to a counter; labels in pairs, e.g. {@code "method", "GET"}. */
  public void add(String name, long amount, String... labels) {
    counters.computeIfAbsent(series(name, labels), k -> new LongAdder()).add(amount);
  }

  private static String series(String name, String... labels) {
    if (labels.length == 0) {
      return name;
    }
    var sb = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.length; i += 2) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(labels[i]).append("=\"").append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append('}').toString();
  }

  public String render() {
    var sb = new StringBuilder();
    var byFamily = new TreeMap<String, TreeMap<String, Long>>();
    counters.forEach((series, v) -> {
      int brace = series.indexOf('{');
      String fam = brace < 0 ? series : series.substring(0, brace);
      if (fam.endsWith("_sum") || fam.endsWith("_count")) {
        fam = fam.substring(0, fam.lastIndexOf('_'));
      }
      byFamily.computeIfAbsent(fam, k -> new TreeMap<>()).put(series, v.sum());
    });
    gauges.forEach((name, g) -> byFamily.computeIfAbsent(name, k -> new TreeMap<>()).put(name, g.getAsLong()));
    byFamily.forEach((fam, series) -> {
      Family f = families.get(fam);
      if (f != null) {
        sb.append("# HELP ").append(fam).append(' ').append(f.help()).append('\n');
        sb.append("# TYPE ").append(fam).append(' ').append(f.type()).append('\n');
      }
      series.forEach((s, v) -> sb.append(s).append(' ').append(v).append('\n'));
    });
    return sb.toString();
  }
}
