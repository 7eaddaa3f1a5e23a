package dev.berth.api.server;

import dev.berth.api.model.ImageViews;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.image.Image;
import dev.berth.oci.Reference;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The image filters of {@code GET /images/json} and {@code POST /images/prune}, as Docker reads them. */
final class ImageFilters {
  private ImageFilters() {}

  static final Set<String> LIST = Set.of("before", "dangling", "label", "label!", "reference", "since", "until");
  static final Set<String> PRUNE = Set.of("dangling", "label", "label!", "until");

  /**
   * Whether {@code image} passes every filter but {@code reference}, which selects names rather
   * than images (see {@link #matchingTags}). {@code lookup} resolves the images {@code before} and
   * {@code since} name.
   */
  static boolean accepts(Filters f, Image image, Function<String, Image> lookup, Instant now) {
    Boolean dangling = f.bool("dangling");
    if (dangling != null && dangling != image.dangling()) {
      return false;
    }
    Map<String, String> labels = image.config().configOrEmpty().labels();
    if (f.has("label") && !f.matchLabels("label", labels)) {
      return false;
    }
    if (f.has("label!") && f.get("label!").stream().anyMatch(l -> Filters.labelMatches(l, labels))) {
      return false;
    }
    long created = ImageViews.unixSeconds(image.config().created());
    for (String b : f.get("before")) {
      if (created >= ImageViews.unixSeconds(lookup.apply(b).config().created())) {
        return false;
      }
    }
    for (String s : f.get("since")) {
      if (created <= ImageViews.unixSeconds(lookup.apply(s).config().created())) {
        return false;
      }
    }
    for (String u : f.get("until")) {
      if (created >= timestamp(u, now).getEpochSecond()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The familiar names of {@code image} that match a {@code reference} pattern, as Docker's
   * {@code reference.FamiliarMatch}: the pattern is a {@code path.Match} glob against
   * {@code busybox:latest}, or failing that against {@code busybox}.
   */
  static List<String> matchingTags(List<String> patterns, List<String> familiarNames) {
    List<Pattern> globs = patterns.stream().map(ImageFilters::glob).toList();
    return familiarNames.stream().filter(name -> {
      String repo = repositoryOf(name);
      return globs.stream().anyMatch(g -> g.matcher(name).matches() || g.matcher(repo).matches());
    }).toList();
  }

  private static String repositoryOf(String familiar) {
    try {
      return Reference.parseNormalized(familiar).familiarRepository();
    } catch (InvalidArgumentException e) {
      return familiar;
    }
  }

  /** Go's {@code path.Match} syntax: {@code *} and {@code ?} stop at {@code /}, {@code [...]} classes, {@code \} escapes. */
  static Pattern glob(String pattern) {
    var re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> re.append("[^/]*");
        case '?' -> re.append("[^/]");
        case '\\' -> {
          if (++i >= pattern.length()) {
            throw new InvalidArgumentException("invalid reference filter \"" + pattern + "\": syntax error in pattern");
          }
          re.append(Pattern.quote(String.valueOf(pattern.charAt(i))));
        }
        case '[' -> {
          int end = pattern.indexOf(']', i + 2);
          if (end < 0) {
            throw new InvalidArgumentException("invalid reference filter \"" + pattern + "\": syntax error in pattern");
          }
          String body = pattern.substring(i + 1, end);
          re.append('[').append(body.startsWith("^") ? "^" + body.substring(1).replace("[", "\\[")
              : body.replace("[", "\\[")).append(']');
          i = end;
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  /**
   * Docker's {@code timetypes.GetTimestamp}: a Go duration before {@code now} ({@code 10m},
   * {@code 1h30m}), unix seconds ({@code 1700000000.5}), RFC 3339 with or without zone, or a date.
   */
  static Instant timestamp(String value, Instant now) {
    String v = value.strip();
    if (v.matches("(" + DURATION.pattern() + ")+")) {
      Matcher m = DURATION.matcher(v);
      Duration d = Duration.ZERO;
      while (m.find()) {
        BigDecimal n = new BigDecimal(m.group(1));
        long nanosPerUnit = switch (m.group(2)) {
          case "ns" -> 1L;
          case "us", "µs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> 3_600_000_000_000L;
        };
        d = d.plusNanos(n.multiply(BigDecimal.valueOf(nanosPerUnit)).longValue());
      }
      return now.minus(d);
    }
    if (v.matches("\\d+(\\.\\d{1,9})?")) {
      BigDecimal secs = new BigDecimal(v);
      return Instant.ofEpochSecond(secs.longValue(), secs.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException ignored) {
      // try the zone-less forms
    }
    try {
      return LocalDateTime.parse(v).atZone(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeParseException ignored) {
      // try a date
    }
    try {
      return LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidArgumentException("invalid filter 'until=" + value
          + "': want a duration (10m), unix seconds or an RFC 3339 time");
    }
  }
}
