package dev.berth.build;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.errors.InvalidArgumentException;
import dev.berth.oci.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Dockerfile parser: lines into instructions, following BuildKit's
 * {@code frontend/dockerfile/parser} (directives, continuations, comments, heredocs, JSON and
 * shell forms, flags) and {@code frontend/dockerfile/instructions} (per-instruction rules and
 * error messages).
 */
final class DockerfileParser {
  private static final Pattern WHITESPACE = Pattern.compile("[\\t\\x0B\\f\\r ]+");
  private static final Pattern HEREDOC = Pattern.compile("^(\\d*)<<(-?)\\s*([^<]*)$");
  private static final Pattern DIRECTIVE = Pattern.compile("^([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
  private static final Pattern STAGE_NAME = Pattern.compile("^[a-z][a-z0-9-_.]*$");
  private static final Pattern ONBUILD_PREFIX = Pattern.compile("(?i)^\\s*ONBUILD\\s*");
  static final List<String> KEYWORDS = List.of("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
      "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR");

  private final String file;
  private char escape = '\\';
  private Pattern continuation;
  private String syntax;
  private boolean directivesDone;
  private final Set<String> directivesSeen = new HashSet<>();
  private final List<String> warnings = new ArrayList<>();

  DockerfileParser(String file) {
    this.file = file;
    setEscape("\\", 0);
  }

  /** A parsed line before it becomes an instruction: BuildKit's Node. */
  private record Node(String cmd, List<String> flags, List<String> args, boolean json, String original,
      int startLine, Node sub, List<Instruction.Heredoc> heredocs) {
    Node withHeredocs(List<Instruction.Heredoc> h) {
      return new Node(cmd, flags, args, json, original, startLine, sub == null ? null : sub.withHeredocs(h), h);
    }
  }

  InvalidArgumentException error(int line, String message) {
    return new InvalidArgumentException(file + ":" + line + ": " + message);
  }

  private void setEscape(String token, int line) {
    if (!token.equals("`") && !token.equals("\\")) {
      throw error(line, "invalid escape token '" + token + "' does not match ` or \\");
    }
    escape = token.charAt(0);
    String q = Pattern.quote(token);
    continuation = Pattern.compile("([^" + (token.equals("\\") ? "\\\\" : "`") + "])" + q + "[ \\t]*$|^" + q + "[ \\t]*$");
  }

  // ---- lines ----

  /** Lines with their endings kept, as BuildKit's scanLines returns them. */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        out.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }

  private static String trimNewline(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private static String trimLeading(String s) {
    int i = 0;
    while (i < s.length() && ShellLex.isSpace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  private static boolean isComment(String line) {
    String t = trimLeading(line);
    return !t.isEmpty() && t.charAt(0) == '#';
  }

  /** Handles a parser directive on a leading comment line; returns true if it was one. */
  private boolean directive(String line, int lineNo) {
    if (directivesDone) {
      return false;
    }
    if (!line.startsWith("#")) {
      directivesDone = true;
      return false;
    }
    Matcher m = DIRECTIVE.matcher(trimLeading(line.substring(1)));
    if (!m.matches()) {
      directivesDone = true;
      return false;
    }
    String key = m.group(1).toLowerCase(Locale.ROOT);
    if (!key.equals("escape") && !key.equals("syntax") && !key.equals("check")) {
      directivesDone = true;
      return false;
    }
    if (!directivesSeen.add(key)) {
      throw error(lineNo, "only one " + key + " parser directive can be used");
    }
    switch (key) {
      case "escape" -> setEscape(m.group(2), lineNo);
      case "syntax" -> syntax = m.group(2);
      default -> warnings.add(file + ":" + lineNo + ": the check directive is ignored: berth runs no build checks");
    }
    return true;
  }

  private String processLine(String raw, int lineNo, boolean stripLeft) {
    String token = trimNewline(raw);
    if (stripLeft) {
      token = trimLeading(token);
    }
    directive(token, lineNo);
    return isComment(token) ? "" : token;
  }

  /** Returns the line without its continuation token, or null when the line does not continue. */
  private String continued(String line) {
    Matcher m = continuation.matcher(line);
    if (!m.find()) {
      return null;
    }
    return line.substring(0, m.start()) + (m.group(1) == null ? "" : m.group(1));
  }

  // ---- the file ----

  Dockerfile parse(String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> lines = lines(text);
    List<Node> nodes = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      int startLine = i + 1;
      String first = processLine(lines.get(i), startLine, true);
      i++;
      String rest = continued(first);
      boolean endOfLine = rest == null;
      String head = endOfLine ? first : rest;
      if (endOfLine && head.isEmpty()) {
        continue;
      }
      StringBuilder buf = new StringBuilder(head);
      boolean emptyContinuation = false;
      while (!endOfLine && i < lines.size()) {
        String raw = lines.get(i);
        String l = processLine(raw, i + 1, false);
        i++;
        if (isComment(raw)) {
          continue;
        }
        if (trimLeading(trimNewline(l)).isEmpty()) {
          emptyContinuation = true;
          continue;
        }
        String c = continued(l);
        endOfLine = c == null;
        buf.append(endOfLine ? l : c);
      }
      String line = buf.toString();
      if (emptyContinuation) {
        warnings.add(file + ":" + i + ": empty continuation line found in: " + line.strip()
            + " (empty continuation lines will become errors in a future release)");
      }
      Node node = node(line, startLine);
      if (canContainHeredoc(node) && line.contains("<<")) {
        List<Instruction.Heredoc> docs = new ArrayList<>();
        for (Instruction.Heredoc h : heredocsFromLine(line, startLine)) {
          StringBuilder content = new StringBuilder();
          boolean terminated = false;
          while (i < lines.size()) {
            String raw = lines.get(i);
            i++;
            String candidate = trimNewline(raw);
            if (h.chomp()) {
              candidate = candidate.replaceFirst("^\t+", "");
            }
            if (candidate.equals(h.name())) {
              terminated = true;
              break;
            }
            content.append(raw);
          }
          if (!terminated) {
            throw error(startLine, "unterminated heredoc");
          }
          docs.add(new Instruction.Heredoc(h.name(), content.toString(), h.expand(), h.chomp(), h.fileDescriptor()));
        }
        node = node.withHeredocs(docs);
      }
      nodes.add(node);
    }
    if (nodes.isEmpty()) {
      throw new InvalidArgumentException(file + ": file with no instructions");
    }
    List<Instruction.Arg> globalArgs = new ArrayList<>();
    List<Dockerfile.Stage> stages = new ArrayList<>();
    Instruction.From from = null;
    List<Instruction> body = new ArrayList<>();
    for (Node n : nodes) {
      Instruction in = instruction(n);
      if (in instanceof Instruction.From f) {
        if (from != null) {
          stages.add(new Dockerfile.Stage(stages.size(), from, body));
        }
        from = f;
        body = new ArrayList<>();
      } else if (from == null) {
        if (!(in instanceof Instruction.Arg a)) {
          throw error(n.startLine(), "no build stage in current context: " + in.keyword()
              + " comes before the first FROM (only ARG may)");
        }
        globalArgs.add(a);
      } else {
        body.add(in);
      }
    }
    if (from == null) {
      throw new InvalidArgumentException(file + ": no build stage: the file has no FROM instruction");
    }
    stages.add(new Dockerfile.Stage(stages.size(), from, body));
    Set<String> names = new HashSet<>();
    for (Dockerfile.Stage s : stages) {
      if (s.name() != null && !names.add(s.name())) {
        throw error(s.from().line(), "duplicate stage name \"" + s.name() + "\"");
      }
    }
    return new Dockerfile(file, escape, syntax, globalArgs, stages, warnings);
  }

  Instruction parseOne(String text, char escapeToken) {
    setEscape(String.valueOf(escapeToken), 1);
    directivesDone = true;
    Node n = node(text.strip(), 1);
    return instruction(n);
  }

  // ---- one logical line ----

  private Node node(String line, int startLine) {
    String trimmed = line.strip();
    String[] cmdline = WHITESPACE.split(trimmed, 2);
    String cmd = cmdline[0];
    List<String> flags = new ArrayList<>();
    String args = "";
    if (cmdline.length == 2) {
      args = extractFlags(cmdline[1], flags).strip();
    }
    String lower = cmd.toLowerCase(Locale.ROOT);
    List<String> words = new ArrayList<>();
    boolean json = false;
    Node sub = null;
    switch (lower) {
      case "run", "cmd", "entrypoint", "shell" -> json = maybeJson(args, words, startLine, false);
      case "add", "copy", "volume" -> json = maybeJson(args, words, startLine, true);
      case "expose", "from" -> splitWhitespace(args, words);
      case "maintainer", "stopsignal", "user", "workdir" -> {
        if (!args.isEmpty()) {
          words.add(args);
        }
      }
      case "env", "label" -> nameVal(args, lower.toUpperCase(Locale.ROOT), words, startLine);
      case "arg" -> words.addAll(parseWords(args));
      case "healthcheck" -> {
        int sep = 0;
        while (sep < args.length() && !ShellLex.isSpace(args.charAt(sep))) {
          sep++;
        }
        if (sep > 0) {
          words.add(args.substring(0, sep));
          json = maybeJson(trimLeading(args.substring(sep)), words, startLine, false);
        }
      }
      case "onbuild" -> {
        if (!args.isEmpty()) {
          sub = node(args, startLine);
        }
      }
      default -> {
        // An unknown instruction: reported when it becomes an instruction, with a suggestion.
      }
    }
    return new Node(cmd, flags, words, json, line, startLine, sub, List.of());
  }

  /** BuildKit's extractBuilderFlags: leading {@code --name=value} words, quotes and escapes removed. */
  private String extractFlags(String line, List<String> flags) {
    StringBuilder word = new StringBuilder();
    int phase = 0; // 0 spaces, 1 word, 2 quote
    char quote = 0;
    boolean blankOk = false;
    for (int pos = 0; pos <= line.length(); pos++) {
      char ch = pos < line.length() ? line.charAt(pos) : 0;
      if (phase == 0) {
        if (pos == line.length()) {
          break;
        }
        if (ShellLex.isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') {
          return line.substring(pos);
        }
        phase = 1;
      }
      if (pos == line.length()) {
        String w = word.toString();
        if (!w.equals("--") && (blankOk || !w.isEmpty())) {
          flags.add(w);
        }
        break;
      }
      if (phase == 1) {
        if (ShellLex.isSpace(ch)) {
          String w = word.toString();
          phase = 0;
          if (w.equals("--")) {
            return line.substring(pos);
          }
          if (blankOk || !w.isEmpty()) {
            flags.add(w);
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = 2;
          continue;
        }
        if (ch == escape) {
          if (pos + 1 == line.length()) {
            continue;
          }
          ch = line.charAt(++pos);
        }
        word.append(ch);
        continue;
      }
      if (ch == quote) {
        phase = 1;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == line.length()) {
          phase = 1;
          continue;
        }
        ch = line.charAt(++pos);
      }
      word.append(ch);
    }
    return "";
  }

  private static void splitWhitespace(String rest, List<String> out) {
    if (rest.isEmpty()) {
      return;
    }
    for (String s : WHITESPACE.split(rest, -1)) {
      out.add(s);
    }
  }

  /** JSON array of strings (true), or the shell form: one string, or whitespace-split words for lists. */
  private boolean maybeJson(String rest, List<String> out, int line, boolean toList) {
    if (rest.isEmpty()) {
      return false;
    }
    String t = trimLeading(rest);
    if (t.startsWith("[")) {
      JsonNode node = null;
      try {
        node = Json.MAPPER.readTree(t);
      } catch (Exception e) {
        // Not valid JSON: the shell form, as BuildKit treats it.
      }
      if (node != null && node.isArray()) {
        List<String> values = new ArrayList<>();
        for (JsonNode e : node) {
          if (!e.isTextual()) {
            throw error(line, "when using JSON array syntax, arrays must be comprised of strings only");
          }
          values.add(e.asText());
        }
        out.addAll(values);
        return true;
      }
    }
    if (toList) {
      splitWhitespace(rest, out);
    } else {
      out.add(rest);
    }
    return false;
  }

  /** ENV and LABEL: {@code k=v ...} as (key, value, "=") triples, or the legacy {@code k v} as (k, v, ""). */
  private void nameVal(String rest, String keyword, List<String> out, int line) {
    List<String> words = parseWords(rest);
    if (words.isEmpty()) {
      return;
    }
    if (!words.getFirst().contains("=")) {
      String[] parts = WHITESPACE.split(rest, 2);
      if (parts.length < 2) {
        throw error(line, keyword + " must have two arguments");
      }
      out.addAll(List.of(parts[0], parts[1], ""));
      return;
    }
    for (String w : words) {
      int eq = w.indexOf('=');
      if (eq < 0) {
        throw error(line, "Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
      }
      out.addAll(List.of(w.substring(0, eq), w.substring(eq + 1), "="));
    }
  }

  /** BuildKit's parseWords: whitespace-separated words, quotes and escapes kept for later expansion. */
  private List<String> parseWords(String rest) {
    List<String> words = new ArrayList<>();
    int phase = 0;
    char quote = 0;
    boolean blankOk = false;
    StringBuilder b = new StringBuilder();
    for (int pos = 0; pos <= rest.length(); pos++) {
      char ch = pos < rest.length() ? rest.charAt(pos) : 0;
      if (phase == 0) {
        if (pos == rest.length()) {
          break;
        }
        if (ShellLex.isSpace(ch)) {
          continue;
        }
        phase = 1;
      }
      if (pos == rest.length()) {
        if (blankOk || !b.isEmpty()) {
          words.add(b.toString());
        }
        break;
      }
      if (phase == 1) {
        if (ShellLex.isSpace(ch)) {
          phase = 0;
          if (blankOk || !b.isEmpty()) {
            words.add(b.toString());
          }
          b.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = 2;
        }
        if (ch == escape) {
          if (pos + 1 == rest.length()) {
            continue;
          }
          b.append(ch);
          ch = rest.charAt(++pos);
        }
        b.append(ch);
        continue;
      }
      if (ch == quote) {
        phase = 1;
      }
      if (ch == escape && quote != '\'') {
        if (pos + 1 == rest.length()) {
          phase = 1;
          continue;
        }
        b.append(ch);
        ch = rest.charAt(++pos);
      }
      b.append(ch);
    }
    return words;
  }

  // ---- heredocs ----

  private static boolean canContainHeredoc(Node n) {
    Node target = n.cmd().equalsIgnoreCase("onbuild") && n.sub() != null ? n.sub() : n;
    String c = target.cmd().toLowerCase(Locale.ROOT);
    return (c.equals("run") || c.equals("copy") || c.equals("add")) && !target.json();
  }

  private List<Instruction.Heredoc> heredocsFromLine(String line, int lineNo) {
    List<String> words;
    try {
      words = new ShellLex('\\').rawQuotes(true).rawEscapes(true).skipUnsetEnv(true).processWords(line, k -> null);
    } catch (InvalidArgumentException e) {
      words = List.of();
    }
    List<Instruction.Heredoc> out = new ArrayList<>();
    for (String w : words) {
      Instruction.Heredoc h = heredoc(w, lineNo);
      if (h != null) {
        out.add(h);
      }
    }
    return out;
  }

  /** The heredoc a word introduces ({@code <<EOF}, {@code 3<<-"EOF"}), or null. */
  Instruction.Heredoc heredoc(String word, int lineNo) {
    Matcher m = HEREDOC.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return null;
    }
    String rest = m.group(3);
    List<String> plain;
    List<String> raw;
    try {
      plain = new ShellLex('\\').skipUnsetEnv(true).processWords(rest, k -> null);
      raw = new ShellLex('\\').skipUnsetEnv(true).rawQuotes(true).processWords(rest, k -> null);
    } catch (InvalidArgumentException e) {
      throw error(lineNo, e.getMessage());
    }
    if (plain.size() != 1) {
      return null;
    }
    String name = plain.getFirst();
    boolean expand = quotes(name) == quotes(raw.getFirst());
    int fd = m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1));
    return new Instruction.Heredoc(name, "", expand, m.group(2).equals("-"), fd);
  }

  private static long quotes(String s) {
    return s.chars().filter(c -> c == '\'' || c == '"').count();
  }

  // ---- instructions ----

  /** Flags as BuildKit's BFlags reads them: each declared flag once (lists repeat), others refused. */
  private final class Flags {
    private final Node node;
    private final Map<String, Character> declared = new LinkedHashMap<>(); // b(ool), s(tring), l(ist)
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    Flags(Node node) {
      this.node = node;
    }

    Flags declare(String name, char type) {
      declared.put(name, type);
      return this;
    }

    Flags parse() {
      for (String a : node.flags()) {
        if (a.equals("--")) {
          return this;
        }
        if (!a.startsWith("--")) {
          throw error(node.startLine(), "arg should start with -- : " + a);
        }
        int eq = a.indexOf('=');
        String flagName = eq < 0 ? a : a.substring(0, eq);
        String name = flagName.substring(2);
        Character type = declared.get(name);
        if (type == null) {
          throw error(node.startLine(), "unknown flag: " + flagName
              + (declared.isEmpty() ? " (" + node.cmd().toUpperCase(Locale.ROOT) + " takes no flags)"
                  : " (" + node.cmd().toUpperCase(Locale.ROOT) + " takes --" + String.join(", --", declared.keySet()) + ")"));
        }
        if (values.containsKey(name) && type != 'l') {
          throw error(node.startLine(), "duplicate flag specified: " + flagName);
        }
        String value = eq < 0 ? null : a.substring(eq + 1);
        switch (type) {
          case 'b' -> {
            if (value != null && value.isEmpty()) {
              throw error(node.startLine(), "missing a value on flag: " + flagName);
            }
            String v = value == null ? "true" : value.toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
              throw error(node.startLine(), "expecting boolean value for flag " + flagName + ", not: " + value);
            }
            values.put(name, List.of(v));
          }
          default -> {
            if (value == null) {
              throw error(node.startLine(), "missing a value on flag: " + flagName);
            }
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
          }
        }
      }
      return this;
    }

    String string(String name) {
      List<String> v = values.get(name);
      return v == null ? null : v.getLast();
    }

    boolean bool(String name) {
      return "true".equals(string(name));
    }

    Boolean optionalBool(String name) {
      return values.containsKey(name) ? bool(name) : null;
    }

    List<String> list(String name) {
      return values.getOrDefault(name, List.of());
    }
  }

  private Instruction instruction(Node n) {
    int line = n.startLine();
    String orig = n.original().strip();
    List<String> args = n.args();
    String cmd = n.cmd().toUpperCase(Locale.ROOT);
    return switch (cmd) {
      case "FROM" -> {
        Flags f = new Flags(n).declare("platform", 's').parse();
        String stage = null;
        if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
          stage = args.get(2).toLowerCase(Locale.ROOT);
          if (!STAGE_NAME.matcher(stage).matches()) {
            throw error(line, "invalid name for build stage: \"" + args.get(2)
                + "\", name can't start with a number or contain symbols");
          }
        } else if (args.size() != 1) {
          throw error(line, "FROM requires either one or three arguments");
        }
        yield new Instruction.From(line, orig, args.getFirst(), stage, f.string("platform"));
      }
      case "RUN" -> {
        Flags f = new Flags(n).declare("mount", 'l').declare("network", 's').declare("security", 's').parse();
        List<Instruction.RunMount> mounts = new ArrayList<>();
        for (String m : f.list("mount")) {
          mounts.add(RunMounts.parse(m, msg -> error(line, msg)));
        }
        String network = f.string("network");
        if (network != null && !List.of("default", "none", "host").contains(network)) {
          throw error(line, "unsupported network mode \"" + network + "\" (want default, none or host)");
        }
        String security = f.string("security");
        if (security != null && !List.of("sandbox", "insecure").contains(security)) {
          throw error(line, "unsupported security mode \"" + security + "\" (want sandbox or insecure)");
        }
        yield new Instruction.Run(line, orig, commandLine(n, false), mounts, network, security);
      }
      case "CMD" -> {
        new Flags(n).parse();
        yield new Instruction.Cmd(line, orig, commandLine(n, false));
      }
      case "ENTRYPOINT" -> {
        new Flags(n).parse();
        yield new Instruction.Entrypoint(line, orig, commandLine(n, true));
      }
      case "ENV" -> {
        new Flags(n).parse();
        yield new Instruction.Env(line, orig, keyValues(args, "ENV", line));
      }
      case "LABEL" -> {
        new Flags(n).parse();
        yield new Instruction.Label(line, orig, keyValues(args, "LABEL", line));
      }
      case "MAINTAINER" -> {
        if (args.size() != 1) {
          throw error(line, "MAINTAINER requires exactly one argument");
        }
        new Flags(n).parse();
        warnings.add(file + ":" + line + ": MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors=...");
        yield new Instruction.Maintainer(line, orig, args.getFirst());
      }
      case "ARG" -> {
        if (args.isEmpty()) {
          throw error(line, "ARG requires at least one argument");
        }
        new Flags(n).parse();
        List<Instruction.ArgDef> defs = new ArrayList<>();
        for (String a : args) {
          int eq = a.indexOf('=');
          if (eq == 0) {
            throw error(line, "ARG names can not be blank");
          }
          defs.add(eq < 0 ? new Instruction.ArgDef(a, null) : new Instruction.ArgDef(a.substring(0, eq), a.substring(eq + 1)));
        }
        yield new Instruction.Arg(line, orig, defs);
      }
      case "EXPOSE" -> {
        if (args.isEmpty()) {
          throw error(line, "EXPOSE requires at least one argument");
        }
        new Flags(n).parse();
        yield new Instruction.Expose(line, orig, args.stream().sorted().toList());
      }
      case "COPY" -> {
        if (args.size() < 2) {
          throw error(line, "COPY requires at least two arguments, but only one was provided. Destination could not be determined");
        }
        Flags f = new Flags(n).declare("chown", 's').declare("from", 's').declare("chmod", 's').declare("link", 'b')
            .declare("exclude", 'l').declare("parents", 'b').parse();
        yield new Instruction.Copy(line, orig, sources(n, "COPY"), f.string("from"), f.string("chown"), f.string("chmod"),
            f.bool("link"), f.bool("parents"), f.list("exclude"));
      }
      case "ADD" -> {
        if (args.size() < 2) {
          throw error(line, "ADD requires at least two arguments, but only one was provided. Destination could not be determined");
        }
        Flags f = new Flags(n).declare("chown", 's').declare("chmod", 's').declare("link", 'b')
            .declare("keep-git-dir", 'b').declare("checksum", 's').declare("unpack", 'b').declare("exclude", 'l').parse();
        yield new Instruction.Add(line, orig, sources(n, "ADD"), f.string("chown"), f.string("chmod"), f.string("checksum"),
            f.bool("link"), f.optionalBool("unpack"), f.list("exclude"));
      }
      case "WORKDIR" -> {
        if (args.size() != 1) {
          throw error(line, "WORKDIR requires exactly one argument");
        }
        new Flags(n).parse();
        yield new Instruction.Workdir(line, orig, args.getFirst());
      }
      case "USER" -> {
        if (args.size() != 1) {
          throw error(line, "USER requires exactly one argument");
        }
        new Flags(n).parse();
        yield new Instruction.User(line, orig, args.getFirst());
      }
      case "VOLUME" -> {
        if (args.isEmpty()) {
          throw error(line, "VOLUME requires at least one argument");
        }
        new Flags(n).parse();
        List<String> vols = new ArrayList<>();
        for (String v : args) {
          if (v.strip().isEmpty()) {
            throw error(line, "VOLUME specified can not be an empty string");
          }
          vols.add(v.strip());
        }
        yield new Instruction.Volume(line, orig, vols);
      }
      case "STOPSIGNAL" -> {
        if (args.size() != 1) {
          throw error(line, "STOPSIGNAL requires exactly one argument");
        }
        new Flags(n).parse();
        yield new Instruction.StopSignal(line, orig, args.getFirst());
      }
      case "HEALTHCHECK" -> new Instruction.Healthcheck(line, orig, health(n));
      case "SHELL" -> {
        new Flags(n).parse();
        if (args.isEmpty()) {
          throw error(line, "SHELL requires at least one argument");
        }
        if (!n.json()) {
          throw error(line, "SHELL requires the arguments to be in JSON form");
        }
        yield new Instruction.Shell(line, orig, args);
      }
      case "ONBUILD" -> {
        if (n.sub() == null) {
          throw error(line, "ONBUILD requires at least one argument");
        }
        new Flags(n).parse();
        String trigger = n.sub().cmd().toUpperCase(Locale.ROOT);
        switch (trigger) {
          case "ONBUILD" -> throw error(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
          case "MAINTAINER", "FROM" -> throw error(line, trigger + " isn't allowed as an ONBUILD trigger");
          default -> {}
        }
        StringBuilder expression = new StringBuilder(ONBUILD_PREFIX.matcher(n.original()).replaceFirst(""));
        for (Instruction.Heredoc h : n.heredocs()) {
          expression.append('\n').append(h.content()).append(h.name());
        }
        yield new Instruction.OnBuild(line, orig, expression.toString(), instruction(n.sub()));
      }
      default -> throw error(line, "unknown instruction: " + n.cmd() + suggestion(n.cmd()));
    };
  }

  private static String suggestion(String cmd) {
    String upper = cmd.toUpperCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : KEYWORDS) {
      int d = distance(upper, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return bestDistance <= Math.max(1, upper.length() / 3) ? " (did you mean " + best + "?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private Instruction.CommandLine commandLine(Node n, boolean emptyAsNil) {
    List<String> args = n.args();
    if (!n.json() && !args.isEmpty()) {
      args = List.of(String.join(" ", args));
    }
    return new Instruction.CommandLine(args, n.json(), n.heredocs());
  }

  private List<Instruction.KeyValue> keyValues(List<String> args, String keyword, int line) {
    if (args.isEmpty()) {
      throw error(line, keyword + " requires at least one argument");
    }
    List<Instruction.KeyValue> out = new ArrayList<>();
    for (int j = 0; j + 2 < args.size(); j += 3) {
      if (args.get(j).isEmpty()) {
        throw error(line, keyword + " names can not be blank");
      }
      out.add(new Instruction.KeyValue(args.get(j), args.get(j + 1), args.get(j + 2).isEmpty()));
    }
    return out;
  }

  private Instruction.Sources sources(Node n, String keyword) {
    List<String> args = n.args();
    String dest = args.getLast();
    if (heredoc(dest, n.startLine()) != null) {
      throw error(n.startLine(), keyword + " cannot accept a heredoc as a destination");
    }
    Map<String, Instruction.Heredoc> byName = new LinkedHashMap<>();
    n.heredocs().forEach(h -> byName.put(h.name(), h));
    List<String> paths = new ArrayList<>();
    List<Instruction.Heredoc> inline = new ArrayList<>();
    for (String src : args.subList(0, args.size() - 1)) {
      Instruction.Heredoc h = n.json() ? null : heredoc(src, n.startLine());
      if (h != null) {
        Instruction.Heredoc body = byName.get(h.name());
        inline.add(new Instruction.Heredoc(h.name(), body == null ? "" : body.content(), h.expand(), h.chomp(),
            h.fileDescriptor()));
      } else {
        paths.add(src);
      }
    }
    return new Instruction.Sources(paths, inline, dest);
  }

  private Instruction.Health health(Node n) {
    int line = n.startLine();
    List<String> args = n.args();
    if (args.isEmpty()) {
      throw error(line, "HEALTHCHECK requires at least one argument");
    }
    String type = args.getFirst().toUpperCase(Locale.ROOT);
    List<String> rest = args.subList(1, args.size());
    if (type.equals("NONE")) {
      if (!rest.isEmpty()) {
        throw error(line, "HEALTHCHECK NONE takes no arguments");
      }
      new Flags(n).parse();
      return new Instruction.Health(List.of("NONE"), Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }
    Flags f = new Flags(n).declare("interval", 's').declare("timeout", 's').declare("start-period", 's')
        .declare("start-interval", 's').declare("retries", 's').parse();
    if (!type.equals("CMD")) {
      throw error(line, "Unknown type \"" + type + "\" in HEALTHCHECK (try CMD)");
    }
    List<String> cmd = n.json() ? rest : rest.isEmpty() ? List.of() : List.of(String.join(" ", rest));
    if (cmd.isEmpty()) {
      throw error(line, "Missing command after HEALTHCHECK CMD");
    }
    List<String> test = new ArrayList<>();
    test.add(n.json() ? "CMD" : "CMD-SHELL");
    test.addAll(cmd);
    int retries = 0;
    String r = f.string("retries");
    if (r != null) {
      try {
        retries = Integer.parseInt(r);
      } catch (NumberFormatException e) {
        throw error(line, "invalid --retries value \"" + r + "\": want a whole number");
      }
      if (retries < 0) {
        throw error(line, "--retries cannot be negative (" + retries + ")");
      }
    }
    return new Instruction.Health(test, interval(f, "interval", line), interval(f, "timeout", line),
        interval(f, "start-period", line), interval(f, "start-interval", line), retries);
  }

  private Duration interval(Flags f, String name, int line) {
    String s = f.string(name);
    if (s == null || s.isEmpty()) {
      return Duration.ZERO;
    }
    Duration d;
    try {
      d = GoDurations.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(line, "invalid --" + name + " duration \"" + s + "\": " + e.getMessage());
    }
    if (!d.isZero() && d.compareTo(Duration.ofMillis(1)) < 0) {
      throw error(line, "Interval \"" + name + "\" cannot be less than 1ms");
    }
    return d;
  }
}
