package dev.berth.build;

import dev.berth.errors.InvalidArgumentException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dockerfile word processing: quotes, the escape token, and variable substitution ({@code $VAR},
 * {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code ${VAR:+alt}},
 * {@code ${VAR+alt}}, {@code ${VAR:?msg}}, {@code ${VAR#pat}}, {@code ${VAR%pat}},
 * {@code ${VAR/pat/repl}}), as BuildKit's {@code frontend/dockerfile/shell/lex.go} does it.
 *
 * <pre>{@code
 * ShellLex lex = new ShellLex('\\');
 * lex.processWord("${HOME:-/root}/bin", Map.of())      // "/root/bin"
 * lex.processWords("a \"b c\" $X", Map.of("X", "d e"))  // [a, b c, d, e]
 * }</pre>
 *
 * <p>Errors are {@link InvalidArgumentException}s ("failed to process \"${A\": syntax error:
 * missing '}'").
 */
public final class ShellLex {
  private final char escapeToken;
  private boolean rawQuotes;
  private boolean rawEscapes;
  private boolean skipUnsetEnv;

  public ShellLex(char escapeToken) {
    this.escapeToken = escapeToken;
  }

  /** Keeps quote characters in the output (used to tell quoted heredoc delimiters). */
  ShellLex rawQuotes(boolean on) {
    this.rawQuotes = on;
    return this;
  }

  /** Keeps escape tokens in the output. */
  ShellLex rawEscapes(boolean on) {
    this.rawEscapes = on;
    return this;
  }

  /** Leaves references to unset variables as written instead of replacing them by "". */
  ShellLex skipUnsetEnv(boolean on) {
    this.skipUnsetEnv = on;
    return this;
  }

  /** Expands {@code word} as one word: quotes removed, whitespace kept. */
  public String processWord(String word, Map<String, String> env) {
    return process(word, env::get).result;
  }

  /** Expands {@code word} then splits it into words on unquoted whitespace. */
  public List<String> processWords(String word, Map<String, String> env) {
    return process(word, env::get).words;
  }

  String processWord(String word, Function<String, String> env) {
    return process(word, env).result;
  }

  List<String> processWords(String word, Function<String, String> env) {
    return process(word, env).words;
  }

  private record Result(String result, List<String> words) {}

  private Result process(String word, Function<String, String> env) {
    try {
      Scan s = new Scan(word, env);
      return s.processStopOn(-1, rawEscapes);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException("failed to process \"" + word + "\": " + e.getMessage(), e);
    }
  }

  static boolean isSpace(int ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == 0x0b || ch == '\f' || ch == '\r' || ch == 0x85 || ch == 0xa0
        || (ch > 0xff && Character.isWhitespace(ch));
  }

  private static final class Words {
    final StringBuilder buf = new StringBuilder();
    final List<String> words = new ArrayList<>();
    boolean inWord;

    void addChar(int ch) {
      if (isSpace(ch) && inWord) {
        if (!buf.isEmpty()) {
          words.add(buf.toString());
          buf.setLength(0);
          inWord = false;
        }
      } else if (!isSpace(ch)) {
        addRawChar(ch);
      }
    }

    void addRawChar(int ch) {
      buf.appendCodePoint(ch);
      inWord = true;
    }

    void addString(String s) {
      s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
      buf.append(s);
      inWord = true;
    }

    List<String> get() {
      if (!buf.isEmpty()) {
        words.add(buf.toString());
        buf.setLength(0);
        inWord = false;
      }
      return words;
    }
  }

  private final class Scan {
    private final String src;
    private final Function<String, String> env;
    private int pos;
    private boolean raw;

    Scan(String src, Function<String, String> env) {
      this.src = src;
      this.env = env;
      this.raw = rawEscapes;
    }

    int peek() {
      return pos < src.length() ? src.charAt(pos) : -1;
    }

    int next() {
      return pos < src.length() ? src.charAt(pos++) : -1;
    }

    Result processStopOn(int stop, boolean rawEsc) {
      StringBuilder result = new StringBuilder();
      Words words = new Words();
      boolean saved = raw;
      raw = rawEsc;
      try {
        while (peek() != -1) {
          int ch = peek();
          if (stop != -1 && ch == stop) {
            next();
            return new Result(result.toString(), words.get());
          }
          String special = null;
          if (ch == '$') {
            special = processDollar();
            words.addString(special);
          } else if (ch == '<') {
            special = processPossibleHeredoc();
            words.addRawString(special);
          } else if (ch == '\'') {
            special = processSingleQuote();
            words.addRawString(special);
          } else if (ch == '"') {
            special = processDoubleQuote();
            words.addRawString(special);
          }
          if (special != null) {
            result.append(special);
            continue;
          }
          ch = next();
          if (ch == escapeToken) {
            if (raw) {
              words.addRawChar(ch);
              result.append((char) ch);
            }
            ch = next();
            if (ch == -1) {
              break;
            }
            words.addRawChar(ch);
          } else {
            words.addChar(ch);
          }
          result.append((char) ch);
        }
        if (stop != -1) {
          throw new InvalidArgumentException("unexpected end of statement while looking for matching " + (char) stop);
        }
        return new Result(result.toString(), words.get());
      } finally {
        raw = saved;
      }
    }

    String processSingleQuote() {
      StringBuilder r = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        r.append((char) ch);
      }
      while (true) {
        ch = next();
        if (ch == -1) {
          throw new InvalidArgumentException("unexpected end of statement while looking for matching single-quote");
        }
        if (ch == '\'') {
          if (rawQuotes) {
            r.append((char) ch);
          }
          return r.toString();
        }
        r.append((char) ch);
      }
    }

    String processDoubleQuote() {
      StringBuilder r = new StringBuilder();
      int ch = next();
      if (rawQuotes) {
        r.append((char) ch);
      }
      while (true) {
        int p = peek();
        if (p == -1) {
          throw new InvalidArgumentException("unexpected end of statement while looking for matching double-quote");
        }
        if (p == '"') {
          ch = next();
          if (rawQuotes) {
            r.append((char) ch);
          }
          return r.toString();
        }
        if (p == '$') {
          r.append(processDollar());
          continue;
        }
        ch = next();
        if (ch == escapeToken) {
          if (raw) {
            r.append((char) ch);
          }
          int q = peek();
          if (q == -1) {
            continue;
          }
          if (q == '"' || q == '$' || q == escapeToken) {
            ch = next();
          }
        }
        r.append((char) ch);
      }
    }

    String processDollar() {
      next();
      if (peek() != '{') {
        String name = processName();
        if (name.isEmpty()) {
          return "$";
        }
        String value = env.apply(name);
        if (value == null && skipUnsetEnv) {
          return "$" + name;
        }
        return value == null ? "" : value;
      }
      next();
      int p = peek();
      if (p == -1) {
        throw new InvalidArgumentException("syntax error: missing '}'");
      }
      if (p == '{' || p == '}' || p == ':') {
        throw new InvalidArgumentException("syntax error: bad substitution");
      }
      String name = processName();
      int ch = next();
      String chs = ch == -1 ? "" : String.valueOf((char) ch);
      boolean nullIsUnset = false;
      switch (ch) {
        case -1 -> throw new InvalidArgumentException("syntax error: missing '}'");
        case '}' -> {
          String value = env.apply(name);
          if (value == null && skipUnsetEnv) {
            return "${" + name + "}";
          }
          return value == null ? "" : value;
        }
        case ':', '+', '-', '?', '#', '%' -> {
          if (ch == ':') {
            nullIsUnset = true;
            ch = next();
            chs += ch == -1 ? "" : String.valueOf((char) ch);
          }
          boolean rawEsc = ch == '#' || ch == '%';
          if (nullIsUnset && rawEsc) {
            throw new InvalidArgumentException("unsupported modifier (" + chs + ") in substitution");
          }
          String word;
          try {
            word = processStopOn('}', rawEsc).result;
          } catch (InvalidArgumentException e) {
            if (peek() == -1) {
              throw new InvalidArgumentException("syntax error: missing '}'");
            }
            throw e;
          }
          String value = env.apply(name);
          boolean set = value != null;
          if (skipUnsetEnv && !set) {
            return "${" + name + chs + word + "}";
          }
          String v = set ? value : "";
          return switch (ch) {
            case '-' -> !set || (nullIsUnset && v.isEmpty()) ? word : v;
            case '+' -> !set || (nullIsUnset && v.isEmpty()) ? "" : word;
            case '?' -> {
              if (!set) {
                throw new InvalidArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
              }
              if (nullIsUnset && v.isEmpty()) {
                throw new InvalidArgumentException(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
              }
              yield v;
            }
            case '%', '#' -> {
              boolean greedy = !word.isEmpty() && word.charAt(0) == ch;
              String pattern = greedy ? word.substring(1) : word;
              yield ch == '%' ? trimSuffix(pattern, v, greedy) : trimPrefix(pattern, v, greedy);
            }
            default -> throw new InvalidArgumentException("unsupported modifier (" + chs + ") in substitution");
          };
        }
        case '/' -> {
          boolean all = peek() == '/';
          if (all) {
            next();
          }
          String pattern;
          String replacement;
          try {
            pattern = processStopOn('/', true).result;
          } catch (InvalidArgumentException e) {
            if (peek() == -1) {
              throw new InvalidArgumentException("syntax error: missing '/' in ${}");
            }
            throw e;
          }
          try {
            replacement = processStopOn('}', true).result;
          } catch (InvalidArgumentException e) {
            if (peek() == -1) {
              throw new InvalidArgumentException("syntax error: missing '}'");
            }
            throw e;
          }
          String value = env.apply(name);
          if (skipUnsetEnv && value == null) {
            return "${" + name + "/" + pattern + "/" + replacement + "}";
          }
          String v = value == null ? "" : value;
          Pattern re = shellPattern(pattern, true, false);
          Matcher m = re.matcher(v);
          if (all) {
            return m.replaceAll(Matcher.quoteReplacement(replacement));
          }
          return m.find() ? v.substring(0, m.start()) + replacement + v.substring(m.end()) : v;
        }
        default -> throw new InvalidArgumentException("unsupported modifier (" + chs + ") in substitution");
      }
    }

    String processName() {
      StringBuilder name = new StringBuilder();
      while (peek() != -1) {
        int ch = peek();
        if (name.isEmpty() && Character.isDigit(ch)) {
          while (peek() != -1 && Character.isDigit(peek())) {
            name.append((char) next());
          }
          return name.toString();
        }
        if (name.isEmpty() && "@*#?-$!0".indexOf(ch) >= 0) {
          return String.valueOf((char) next());
        }
        if (!Character.isLetter(ch) && !Character.isDigit(ch) && ch != '_') {
          break;
        }
        name.append((char) next());
      }
      return name.toString();
    }

    String processPossibleHeredoc() {
      next();
      if (peek() != '<') {
        return "<";
      }
      next();
      StringBuilder space = new StringBuilder();
      while (peek() == ' ' || peek() == '\t') {
        space.append((char) next());
      }
      return "<<" + space;
    }
  }

  /** A shell pattern (?, * and escapes; no brackets) as a regex, as lex.go converts it. */
  static Pattern shellPattern(String pattern, boolean greedy, boolean anchored) {
    StringBuilder out = new StringBuilder(anchored ? "^" : "");
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> out.append(greedy ? ".*" : ".*?");
        case '?' -> out.append('.');
        case '\\' -> {
          if (i + 1 < pattern.length() && (pattern.charAt(i + 1) == '}' || pattern.charAt(i + 1) == '/')) {
            continue;
          }
          if (i + 1 >= pattern.length() || "*?\\".indexOf(pattern.charAt(i + 1)) < 0) {
            throw new InvalidArgumentException("invalid pattern (" + pattern + ") in substitution: invalid escape");
          }
          out.append('\\').append(pattern.charAt(++i));
        }
        default -> {
          if ("[]{}.+()|^$".indexOf(c) >= 0) {
            out.append('\\');
          }
          out.append(c);
        }
      }
    }
    return Pattern.compile(out.toString(), Pattern.DOTALL);
  }

  private static String trimPrefix(String pattern, String value, boolean greedy) {
    Matcher m = shellPattern(pattern, greedy, true).matcher(value);
    return m.find() ? value.substring(m.end()) : value;
  }

  private static String trimSuffix(String pattern, String value, boolean greedy) {
    // Regexes find the leftmost match: reverse both to find the shortest or longest suffix.
    StringBuilder rp = new StringBuilder();
    for (int i = pattern.length() - 1; i >= 0; i--) {
      char c = pattern.charAt(i);
      if (i > 0 && pattern.charAt(i - 1) == '\\') {
        rp.append('\\').append(c);
        i--;
      } else {
        rp.append(c);
      }
    }
    String rv = new StringBuilder(value).reverse().toString();
    return new StringBuilder(trimPrefix(rp.toString(), rv, greedy)).reverse().toString();
  }
}
