package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code .dockerignore} patterns with Docker's rules (moby/patternmatcher and its ignorefile):
 * lines starting with {@code #} are comments; each pattern is trimmed and cleaned like Go's
 * {@code filepath.Clean}, a leading {@code /} dropped; {@code *} and {@code ?} never match
 * {@code /}, {@code [...]} is a character class, {@code **} matches any number of directories;
 * {@code !pattern} re-includes what an earlier pattern excluded; the last matching pattern wins. A
 * path is excluded when it or one of its parent directories matches.
 *
 * <pre>{@code
 * DockerIgnore ignore = DockerIgnore.parse("node_modules\n**}{@code /*.log\n!keep.log\n");
 * ignore.excludes("src/a.log")   // true
 * ignore.excludes("keep.log")    // false
 * }</pre>
 */
public final class DockerIgnore {
  /** Matches nothing. */
  public static final DockerIgnore NONE = new DockerIgnore(List.of());

  private record Rule(String pattern, boolean exclusion, int dirs, Kind kind, Pattern regex) {}

  private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

  private final List<Rule> rules;

  private DockerIgnore(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Parses a .dockerignore file's text. */
  public static DockerIgnore parse(String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> patterns = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      String p = line.strip();
      if (p.isEmpty()) {
        continue;
      }
      boolean invert = p.charAt(0) == '!';
      if (invert) {
        p = p.substring(1).strip();
      }
      if (!p.isEmpty()) {
        p = clean(p);
        if (p.length() > 1 && p.charAt(0) == '/') {
          p = p.substring(1);
        }
      }
      patterns.add(invert ? "!" + p : p);
    }
    return of(patterns);
  }

  /** Patterns as given (already read from a file), e.g. from {@code COPY --exclude}. */
  public static DockerIgnore of(List<String> patterns) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : patterns) {
      String p = raw.strip();
      if (p.isEmpty()) {
        continue;
      }
      p = clean(p);
      boolean exclusion = false;
      if (p.charAt(0) == '!') {
        if (p.length() == 1) {
          throw new InvalidArgumentException("illegal exclusion pattern: \"!\"");
        }
        exclusion = true;
        p = p.substring(1);
      }
      rules.add(compile(p, exclusion, raw));
    }
    return new DockerIgnore(rules);
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** True if some pattern re-includes ({@code !}): then an excluded directory must still be walked. */
  public boolean hasExceptions() {
    return rules.stream().anyMatch(Rule::exclusion);
  }

  /**
   * Whether the slash-separated context path {@code path} (no leading "/") is excluded:
   * patternmatcher's MatchesOrParentMatches.
   */
  public boolean excludes(String path) {
    String file = clean(path);
    if (file.equals(".")) {
      return false;
    }
    boolean matched = false;
    int slash = file.lastIndexOf('/');
    String parent = slash < 0 ? "." : file.substring(0, slash);
    String[] parentDirs = parent.split("/");
    for (Rule r : rules) {
      if (r.exclusion() != matched) {
        continue;
      }
      boolean match = matches(r, file);
      if (!match && !parent.equals(".")) {
        StringBuilder prefix = new StringBuilder();
        for (String dir : parentDirs) {
          if (!prefix.isEmpty()) {
            prefix.append('/');
          }
          prefix.append(dir);
          if (matches(r, prefix.toString())) {
            match = true;
            break;
          }
        }
      }
      if (match) {
        matched = !r.exclusion();
      }
    }
    return matched;
  }

  private static boolean matches(Rule r, String path) {
    return switch (r.kind()) {
      case EXACT -> path.equals(r.pattern());
      case PREFIX -> path.startsWith(r.pattern().substring(0, r.pattern().length() - 2));
      case SUFFIX -> {
        String suffix = r.pattern().substring(2);
        yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
      }
      case REGEX -> r.regex().matcher(path).matches();
    };
  }

  /** patternmatcher's compile: the pattern as a regex, or a cheaper exact/prefix/suffix test. */
  private static Rule compile(String pattern, boolean exclusion, String raw) {
    StringBuilder re = new StringBuilder("^");
    Kind kind = Kind.EXACT;
    int i = 0;
    int n = pattern.length();
    checkSyntax(pattern, raw);
    for (int step = 0; i < n; step++) {
      char ch = pattern.charAt(i++);
      if (ch == '*') {
        if (i < n && pattern.charAt(i) == '*') {
          i++;
          if (i < n && pattern.charAt(i) == '/') {
            i++;
          }
          if (i >= n) {
            if (kind == Kind.EXACT) {
              kind = Kind.PREFIX;
            } else {
              re.append(".*");
              kind = Kind.REGEX;
            }
          } else {
            re.append("(.*/)?");
            kind = Kind.REGEX;
          }
          if (step == 0) {
            kind = Kind.SUFFIX;
          }
        } else {
          re.append("[^/]*");
          kind = Kind.REGEX;
        }
      } else if (ch == '?') {
        re.append("[^/]");
        kind = Kind.REGEX;
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        re.append('\\').append(ch);
      } else if (ch == '\\') {
        if (i < n) {
          re.append('\\').append(pattern.charAt(i++));
          kind = Kind.REGEX;
        } else {
          re.append("\\\\");
        }
      } else if (ch == '[' || ch == ']') {
        re.append(ch);
        kind = Kind.REGEX;
      } else {
        re.append(ch);
      }
    }
    Pattern regex = null;
    if (kind == Kind.REGEX) {
      re.append('$');
      try {
        // Go's [^...] is Java's [^...]; both take ranges the same way.
        regex = Pattern.compile(re.toString(), Pattern.DOTALL);
      } catch (java.util.regex.PatternSyntaxException e) {
        throw new InvalidArgumentException("invalid .dockerignore pattern \"" + raw + "\": syntax error in pattern", e);
      }
    }
    return new Rule(pattern, exclusion, pattern.split("/").length, kind, regex);
  }

  /** Go's filepath.Match reports ErrBadPattern for unclosed classes and trailing escapes. */
  private static void checkSyntax(String p, String raw) {
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (++i >= p.length()) {
          throw new InvalidArgumentException("invalid .dockerignore pattern \"" + raw + "\": syntax error in pattern");
        }
      } else if (c == '[') {
        int j = i + 1;
        if (j < p.length() && p.charAt(j) == '^') {
          j++;
        }
        boolean closed = false;
        for (boolean first = true; j < p.length(); j++, first = false) {
          if (p.charAt(j) == '\\') {
            j++;
          } else if (p.charAt(j) == ']' && !first) {
            closed = true;
            break;
          }
        }
        if (!closed) {
          throw new InvalidArgumentException("invalid .dockerignore pattern \"" + raw + "\": syntax error in pattern");
        }
        i = j;
      }
    }
  }

  /** Go's path.Clean: collapses slashes, removes "." and resolves ".." lexically. */
  static String clean(String path) {
    if (path.isEmpty()) {
      return ".";
    }
    boolean rooted = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.getLast().equals("..")) {
          out.removeLast();
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }
}
